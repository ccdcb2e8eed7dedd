package postgis

import "time"

// CachedAnswers is how many report-dependent answers s keeps in memory.
func CachedAnswers(s *Store) int {
	s.ledger.mu.Lock()
	defer s.ledger.mu.Unlock()
	return len(s.ledger.entries)
}

// StateReads is how many times s has read its state version.
func StateReads(s *Store) int {
	s.ledger.mu.Lock()
	defer s.ledger.mu.Unlock()
	return s.ledger.stateReads
}

// Heard makes s behave as if it had heard of a write.
func Heard(s *Store) { s.ledger.heard() }

// SetQuietCheck makes s check a quiet channel every d; call it before s
// first listens.
func SetQuietCheck(s *Store, d time.Duration) { s.ledger.quiet = d }

// CachedSites is how many single sites s keeps in memory.
func CachedSites(s *Store) int {
	s.entities.mu.RLock()
	defer s.entities.mu.RUnlock()
	return len(s.entities.sites)
}

// NoPointIndex makes s answer every bbox query in the database.
func NoPointIndex(s *Store) { s.points.off = true }

// Indexed reports whether s has a point index of the layer built (true
// and a nil index for a layer that is not all points counts too).
func Indexed(s *Store, plan, layer string) bool {
	s.points.mu.Lock()
	defer s.points.mu.Unlock()
	_, ok := s.points.indexes[layerRef{plan, layer}]
	return ok
}

// HasPointIndex reports whether s answers bbox queries of the layer from
// a point index.
func HasPointIndex(s *Store, plan, layer string) bool {
	s.points.mu.Lock()
	defer s.points.mu.Unlock()
	return s.points.indexes[layerRef{plan, layer}] != nil
}

// Warming is how many whole-layer reads into the entity cache are under way.
func Warming(s *Store) int { return int(s.entities.warming.Load()) }
