package postgis

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"projectmap/internal/domain"
)

// plannedCurve is what a site row keeps of its plan so that SQL can set
// reports against it: the planned curve (domain.Project.SiteCurve) as two
// arrays, and the schedule whose reports speak for it
// (domain.Project.InheritsFrom), nil for none. Both come from the domain
// at import: SQL never re-derives a schedule.
type plannedCurve struct {
	dates     []time.Time
	fractions []float64
	inherits  any
}

// planIndex finds a plan's projects and layers by number and id.
type planIndex struct {
	projects map[int]*domain.Project
	layers   map[string]domain.Layer
}

func newPlanIndex(p *domain.Plan) planIndex {
	ix := planIndex{projects: map[int]*domain.Project{}, layers: map[string]domain.Layer{}}
	for i := range p.Projects {
		ix.projects[p.Projects[i].Number] = &p.Projects[i]
	}
	for _, l := range p.Layers {
		ix.layers[l.ID] = l
	}
	return ix
}

// curve computes site s's planned curve; a site of no project has an
// empty one (never NULL, which marks a curve not computed yet).
func (ix planIndex) curve(s domain.Site) plannedCurve {
	c := plannedCurve{dates: []time.Time{}, fractions: []float64{}}
	pr, ok := ix.projects[s.Project]
	if s.Project == 0 || !ok {
		return c
	}
	curve := pr.SiteCurve(s)
	for i, d := range curve.Dates {
		c.dates = append(c.dates, d.Time())
		c.fractions = append(c.fractions, curve.Fractions[i])
	}
	layer, ok := ix.layers[s.Layer]
	if !ok {
		layer = domain.Layer{ID: s.Layer, Project: s.Project}
	}
	c.inherits = null(pr.InheritsFrom(layer, s))
	return c
}

// fillCurvesSQL finds the sites whose curve was never computed: those a
// database held when migration 0003 added the columns.
const (
	uncomputedSitesSQL = `SELECT plan_id, layer_id, id, COALESCE(project, 0), COALESCE(schedule, ''), milestones
		FROM sites WHERE planned_dates IS NULL`
	setCurveSQL = `UPDATE sites SET planned_dates = $4, planned_fractions = $5, inherits = $6
		WHERE plan_id = $1 AND layer_id = $2 AND id = $3`
)

// fillCurves computes, in Go from the stored plans, the curves of sites
// that have none, in one transaction.
func fillCurves(ctx context.Context, tx pgx.Tx) (int, error) {
	plans, err := readPlans(ctx, tx)
	if err != nil {
		return 0, err
	}
	index := map[string]planIndex{}
	for i := range plans {
		index[plans[i].ID] = newPlanIndex(&plans[i])
	}
	rows, err := tx.Query(ctx, uncomputedSitesSQL)
	if err != nil {
		return 0, err
	}
	var sites []domain.Site
	for rows.Next() {
		var s domain.Site
		var milestones []byte
		if err := rows.Scan(&s.PlanID, &s.Layer, &s.ID, &s.Project, &s.Schedule, &milestones); err != nil {
			rows.Close()
			return 0, err
		}
		if milestones != nil {
			if err := json.Unmarshal(milestones, &s.Milestones); err != nil {
				rows.Close()
				return 0, fmt.Errorf("site %s: milestones: %w", s.ID, err)
			}
		}
		sites = append(sites, s)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	b := &pgx.Batch{}
	for _, s := range sites {
		c := index[s.PlanID].curve(s)
		b.Queue(setCurveSQL, s.PlanID, s.Layer, s.ID, c.dates, c.fractions, c.inherits)
	}
	if b.Len() == 0 {
		return 0, nil
	}
	return len(sites), tx.SendBatch(ctx, b).Close()
}
