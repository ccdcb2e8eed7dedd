package postgis

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/jackc/pgx/v5"

	"projectmap/internal/domain"
)

// synthFollow is a project schedule synthetic sites follow, with the
// planned curve of a site that follows it.
type synthFollow struct {
	project  *domain.Project
	schedule string
	curve    plannedCurve
	at       domain.Curve
}

// synthSchedules is what the synthetic sites follow: nothing without
// reports, else one schedule each of the chosen projects, site i the
// (i mod n)-th.
type synthSchedules struct {
	follow       []synthFollow
	layerProject int // the layer's project, when there is one
	first        domain.Date
}

// synthPlan reads the plan and, when sites are to carry reports, picks
// what they follow and fills in o.AsOf.
func synthPlan(ctx context.Context, tx pgx.Tx, o *SynthOptions) (synthSchedules, error) {
	var sp synthSchedules
	if o.Reported == 0 {
		return sp, nil
	}
	plans, err := readPlans(ctx, tx)
	if err != nil {
		return sp, err
	}
	for i := range plans {
		p := &plans[i]
		if p.ID != o.Plan {
			continue
		}
		index := newPlanIndex(p)
		index.layers[SyntheticLayer] = domain.Layer{ID: SyntheticLayer, Project: o.Project}
		sp.first, sp.layerProject = p.FirstDay(), o.Project
		if o.AsOf.IsZero() {
			o.AsOf = p.LastDay()
		}
		for j := range p.Projects {
			pr := &p.Projects[j]
			if len(pr.Schedules) == 0 || len(pr.Schedules[0].Milestones) == 0 || o.Project != 0 && o.Project != pr.Number {
				continue
			}
			site := domain.Site{PlanID: p.ID, Layer: SyntheticLayer, Project: pr.Number, Schedule: pr.Schedules[0].ID}
			sp.follow = append(sp.follow, synthFollow{project: pr, schedule: site.Schedule, curve: index.curve(site), at: pr.SiteCurve(site)})
		}
		if len(sp.follow) == 0 {
			return sp, domain.Invalid("project", "plan %s has no project %d with a schedule", o.Plan, o.Project)
		}
		return sp, nil
	}
	return sp, domain.Errorf(domain.ErrNotFound, "no plan %q", o.Plan)
}

// synthReportColumns are the columns synthReports COPYs.
var synthReportColumns = []string{"plan_id", "project", "layer_id", "site_id", "reported_on", "fraction", "progress",
	"status", "source", "reported_by"}

// synthReports COPYs the reports of a share of the synthetic sites, then
// retracts about one in fifty. On o.AsOf they come to every tracking
// status: completed, suspended and not started by their status, the rest
// spread around the planned fraction so that some are behind.
func synthReports(ctx context.Context, tx pgx.Tx, o SynthOptions, sp synthSchedules) (int, error) {
	if o.Reported == 0 {
		return 0, nil
	}
	r := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	days := int(o.AsOf.Time().Sub(sp.first.Time()).Hours()/24) + 1
	// Streamed to COPY site by site: at a million sites the rows would not
	// all fit in memory at once.
	i, pending, filed := 0, [][]any(nil), 0
	next := func() ([]any, error) {
		for len(pending) == 0 {
			if i == o.N {
				return nil, nil
			}
			id, f := synthID(i), sp.follow[i%len(sp.follow)]
			planned := f.at.At(o.AsOf)
			i++
			if r.Float64() >= o.Reported {
				continue
			}
			dates := make([]int, 1+r.IntN(3)) // dated in order: the last is the latest
			for k := range dates {
				dates[k] = r.IntN(days)
			}
			sort.Ints(dates)
			for _, d := range dates {
				progress, status := synthMeasure(r, planned)
				pending = append(pending, []any{o.Plan, int32(f.project.Number), SyntheticLayer, id, sp.first.AddDays(d).Time(),
					progress, progress, string(status), "synthetic report", "synthetic"})
			}
		}
		row := pending[0]
		pending = pending[1:]
		filed++
		return row, nil
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"reports"}, synthReportColumns, pgx.CopyFromFunc(next)); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, synthRetractSQL, o.Plan, SyntheticLayer); err != nil {
		return 0, err
	}
	return filed, nil
}

// synthMeasure draws a report's progress and status.
func synthMeasure(r *rand.Rand, planned float64) (float64, domain.ReportStatus) {
	switch u := r.Float64(); {
	case u < 0.10:
		return 1, domain.ReportCompleted
	case u < 0.15:
		return round6(r.Float64() * planned), domain.ReportSuspended
	case u < 0.25:
		return 0, domain.ReportNotStarted
	}
	p := math.Min(0.999, math.Max(0, round6(planned+r.Float64()*0.6-0.4)))
	if p == 0 {
		return 0, domain.ReportNotStarted
	}
	return p, domain.ReportInProgress
}
