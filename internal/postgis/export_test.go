package postgis

// CachedAnswers is how many report-dependent answers s keeps in memory.
func CachedAnswers(s *Store) int {
	s.ledger.mu.Lock()
	defer s.ledger.mu.Unlock()
	return len(s.ledger.entries)
}
