package postgis

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"projectmap/internal/domain"
)

// readPlans rebuilds every plan with its categories, agencies, layers and
// projects (metrics, schedules with milestones, nested allocations) from
// the tables, in the order of geodata/. Lists the data holds are never nil,
// as when they are read from geodata/'s JSON.
func readPlans(ctx context.Context, tx pgx.Tx) ([]domain.Plan, error) {
	var plans []domain.Plan
	index := map[string]int{}
	project := func(plan string, number int) (*domain.Project, error) {
		i, ok := index[plan]
		if !ok {
			return nil, fmt.Errorf("row of unknown plan %q", plan)
		}
		for j := range plans[i].Projects {
			if plans[i].Projects[j].Number == number {
				return &plans[i].Projects[j], nil
			}
		}
		return nil, fmt.Errorf("row of unknown project %s/%d", plan, number)
	}
	planOf := func(id string) (*domain.Plan, error) {
		i, ok := index[id]
		if !ok {
			return nil, fmt.Errorf("row of unknown plan %q", id)
		}
		return &plans[i], nil
	}

	batch := &pgx.Batch{}
	batch.Queue(plansSQL).Query(eachRow(func(row pgx.Rows) error {
		var p domain.Plan
		var issued time.Time
		if err := row.Scan(&p.ID, &p.CityID, &p.City, &p.CityEN, &p.Year, &p.Title, &p.TitleEN, &p.IssuedBy, &p.IssuedByEN, &issued, &p.TimeZone, &p.Source); err != nil {
			return err
		}
		p.IssuedOn = domain.DateOf(issued)
		p.Categories, p.Agencies, p.Layers, p.Projects = []domain.Category{}, []domain.Recipient{}, []domain.Layer{}, []domain.Project{}
		index[p.ID] = len(plans)
		plans = append(plans, p)
		return nil
	}))
	batch.Queue(categoriesSQL).Query(eachRow(func(row pgx.Rows) error {
		var plan string
		var c domain.Category
		if err := row.Scan(&plan, &c.Number, &c.Name, &c.NameEN); err != nil {
			return err
		}
		p, err := planOf(plan)
		if err == nil {
			p.Categories = append(p.Categories, c)
		}
		return err
	}))
	batch.Queue(agenciesSQL).Query(eachRow(func(row pgx.Rows) error {
		var plan, kind string
		var r domain.Recipient
		if err := row.Scan(&plan, &r.ID, &kind, &r.Name, &r.NameEN); err != nil {
			return err
		}
		r.Kind = domain.RecipientKind(kind)
		p, err := planOf(plan)
		if err == nil {
			p.Agencies = append(p.Agencies, r)
		}
		return err
	}))
	batch.Queue(planLayersSQL).Query(eachRow(func(row pgx.Rows) error {
		var plan string
		var l domain.Layer
		if err := row.Scan(&plan, &l.ID, &l.Project, &l.Category, &l.Title, &l.TitleEN, &l.Description, &l.DescriptionEN,
			&l.DerivedMetric, &l.Group); err != nil {
			return err
		}
		p, err := planOf(plan)
		if err == nil {
			p.Layers = append(p.Layers, l)
		}
		return err
	}))
	batch.Queue(projectsSQL).Query(eachRow(func(row pgx.Rows) error {
		var plan string
		pr := domain.Project{Metrics: []domain.Metric{}, Schedules: []domain.Schedule{}, Allocations: []domain.Allocation{}}
		if err := row.Scan(&plan, &pr.Number, &pr.Category, &pr.Title, &pr.TitleEN, &pr.Agencies, &pr.Target, &pr.TargetEN,
			&pr.Funding, &pr.Measures, &pr.Notes, &pr.NotesEN); err != nil {
			return err
		}
		pr.PlanID = plan
		pr.Agencies, pr.Measures = nonNil(pr.Agencies), nonNil(pr.Measures)
		if len(pr.Notes) == 0 {
			pr.Notes = nil
		}
		if len(pr.NotesEN) == 0 {
			pr.NotesEN = nil
		}
		p, err := planOf(plan)
		if err == nil {
			p.Projects = append(p.Projects, pr)
		}
		return err
	}))
	batch.Queue(metricsSQL).Query(eachRow(func(row pgx.Rows) error {
		var plan string
		var number int
		var m domain.Metric
		if err := row.Scan(&plan, &number, &m.Key, &m.Name, &m.NameEN, &m.Unit, &m.Target, &m.Note, &m.NoteEN); err != nil {
			return err
		}
		pr, err := project(plan, number)
		if err == nil {
			pr.Metrics = append(pr.Metrics, m)
		}
		return err
	}))
	batch.Queue(schedulesSQL).Query(eachRow(func(row pgx.Rows) error {
		var plan string
		var number int
		sc := domain.Schedule{Milestones: []domain.Milestone{}}
		if err := row.Scan(&plan, &number, &sc.ID, &sc.Name, &sc.NameEN, &sc.Metric); err != nil {
			return err
		}
		pr, err := project(plan, number)
		if err == nil {
			pr.Schedules = append(pr.Schedules, sc)
		}
		return err
	}))
	batch.Queue(milestonesSQL).Query(eachRow(func(row pgx.Rows) error {
		var plan, schedule string
		var number int
		var start *time.Time
		var due time.Time
		var quantities []byte
		var m domain.Milestone
		if err := row.Scan(&plan, &number, &schedule, &start, &due, &quantities, &m.Text, &m.TextEN); err != nil {
			return err
		}
		m.Date = domain.DateOf(due)
		if start != nil {
			d := domain.DateOf(*start)
			m.Start = &d
		}
		if quantities != nil {
			if err := json.Unmarshal(quantities, &m.Quantities); err != nil {
				return err
			}
		}
		pr, err := project(plan, number)
		if err != nil {
			return err
		}
		for i := range pr.Schedules {
			if pr.Schedules[i].ID == schedule {
				pr.Schedules[i].Milestones = append(pr.Schedules[i].Milestones, m)
				return nil
			}
		}
		return fmt.Errorf("milestone of unknown schedule %s/%d/%s", plan, number, schedule)
	}))
	batch.Queue(allocationsSQL).Query(eachRow(func(row pgx.Rows) error {
		var plan string
		var number int
		var path []int32
		var a domain.Allocation
		if err := row.Scan(&plan, &number, &path, &a.Metric, &a.Recipient, &a.AsWritten, &a.Quantity, &a.Note, &a.NoteEN); err != nil {
			return err
		}
		pr, err := project(plan, number)
		if err != nil {
			return err
		}
		// Rows come ordered by path, so a parent precedes what it includes.
		list := &pr.Allocations
		for depth, i := range path {
			i-- // paths count from 1
			if depth == len(path)-1 {
				if int(i) != len(*list) {
					return fmt.Errorf("allocation path %v of %s/%d has a gap", path, plan, number)
				}
				*list = append(*list, a)
				return nil
			}
			if int(i) >= len(*list) {
				return fmt.Errorf("allocation path %v of %s/%d has no parent", path, plan, number)
			}
			list = &(*list)[i].Includes
		}
		return nil
	}))
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return nil, err
	}
	return plans, nil
}

// eachRow adapts a per-row function to a batch query callback.
func eachRow(fn func(pgx.Rows) error) func(pgx.Rows) error {
	return func(rows pgx.Rows) error {
		defer rows.Close()
		for rows.Next() {
			if err := fn(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
