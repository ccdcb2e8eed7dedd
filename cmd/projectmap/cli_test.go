package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"projectmap/internal/domain"
	"projectmap/internal/ledger"
	"projectmap/internal/storetest"
)

const (
	siteA = "old-community-baqiao-dianchangyiqu"
	siteB = "old-community-baqiao-liulinfang"
)

// listJSON runs report list --json with args.
type listed struct {
	Reports        []apiReport
	NumberMatched  int `json:"numberMatched"`
	NumberReturned int `json:"numberReturned"`
}

func listReports(t *testing.T, b backend, args ...string) listed {
	t.Helper()
	var l listed
	out := mustCLI(t, b, append([]string{"report", "list", "--json"}, args...)...)
	if err := json.Unmarshal([]byte(out), &l); err != nil {
		t.Fatalf("report list --json: %v\n%s", err, out)
	}
	return l
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// bad is a command that must fail with an exit status and a message
// naming what to fix.
type bad struct {
	args []string
	exit int
	say  string
}

func expectFailures(t *testing.T, b backend, cases []bad) {
	t.Helper()
	for _, c := range cases {
		out, errOut, code := cli(t, b, c.args...)
		if code != c.exit || !strings.Contains(errOut, c.say) {
			t.Errorf("projectmap %s: exit %d, want %d saying %q\nstdout: %s\nstderr: %s", strings.Join(c.args, " "), code, c.exit, c.say, out, errOut)
		}
	}
}

// TestTokenCommands: token create prints a secret once, list never shows
// it nor its hash, revoke makes the server answer 401; bad flags are
// refused naming the flag.
func TestTokenCommands(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend) {
		out := mustCLI(t, b, "token", "create", "--name", "市住建局", "--role", "reporter", "--projects", "15")
		secret, id := secretLine.FindStringSubmatch(out), idLine.FindStringSubmatch(out)
		if secret == nil || id == nil || strings.Count(out, secret[1]) != 1 || !strings.Contains(out, "projects 15") {
			t.Fatalf("token create printed:\n%s", out)
		}
		edID, _ := createToken(t, b, "--name", "市发改委", "--role", "editor")
		expectFailures(t, b, []bad{
			{[]string{"token", "create", "--name", "x", "--role", "boss"}, 1, "--role"},
			{[]string{"token", "create", "--name", "x", "--role", "reporter"}, 1, "--projects"},
			{[]string{"token", "create", "--name", "x", "--role", "reporter", "--projects", "99"}, 1, "--projects: plan xian-2024 has no project 99"},
			{[]string{"token", "create", "--name", "x", "--role", "editor", "--projects", "1"}, 1, "--projects"},
			{[]string{"token", "create", "--name", "x", "--role", "reporter", "--projects", "one"}, 2, "--projects"},
			{[]string{"token", "create", "--role", "editor"}, 1, "--name"},
			{[]string{"token", "create", "--name", "x", "--role", "editor", "extra"}, 2, "no arguments"},
			{[]string{"token", "revoke", "tok_000000000000"}, 1, "no token"},
			{[]string{"token", "revoke"}, 2, "one token id"},
			{[]string{"token", "frob"}, 2, "unknown token command"},
			{[]string{"token"}, 2, "unknown token command \"--"}, // the store flags come first here
		})

		list := mustCLI(t, b, "token", "list")
		for _, want := range []string{"ID", "REVOKED", id[1], "市住建局", "reporter", "15", edID, "市发改委", "editor", "all"} {
			if !strings.Contains(list, want) {
				t.Errorf("token list lacks %q:\n%s", want, list)
			}
		}
		hash := hex.EncodeToString(ledger.HashSecret(secret[1]))
		var tokens struct{ Tokens []map[string]any }
		js := mustCLI(t, b, "token", "list", "--json")
		if err := json.Unmarshal([]byte(js), &tokens); err != nil || len(tokens.Tokens) != 2 {
			t.Fatalf("token list --json: %v\n%s", err, js)
		}
		for _, s := range []string{list, js} {
			if strings.Contains(s, secret[1]) || strings.Contains(s, hash) || strings.Contains(s, "pm_") {
				t.Errorf("token list shows a secret or its hash:\n%s", s)
			}
		}
		if _, ok := tokens.Tokens[0]["hash"]; ok {
			t.Errorf("token list --json has a hash field: %v", tokens.Tokens[0])
		}

		// The server takes the token, then refuses it once revoked, while
		// it runs.
		p := startProc(t, b)
		r, err := post(p.base, "/api/reports", secret[1], "", "application/json", siteReportJSON(siteA, "token test", 0.5))
		if err != nil || r.status != 201 {
			t.Fatalf("filing with the new token: %v %s", err, r)
		}
		if r, _ := post(p.base, "/api/reports", secret[1], "", "application/json", reportJSON("out of scope", 0.5)); r.status != 403 {
			t.Errorf("a reporter of project 15 filing on project 5: %s, want 403", r)
		}
		if out := mustCLI(t, b, "token", "revoke", id[1]); !strings.Contains(out, "revoked "+id[1]) {
			t.Errorf("token revoke printed %q", out)
		}
		r, err = post(p.base, "/api/reports", secret[1], "", "application/json", siteReportJSON(siteA, "after revoke", 0.6))
		if err != nil || r.status != 401 {
			t.Errorf("filing with a revoked token: %v %s, want 401", err, r)
		}
		if strings.Contains(p.stderr.String(), secret[1]) {
			t.Errorf("the server logged a token's secret")
		}
		p.stop(t)
		if list := mustCLI(t, b, "token", "list"); !regexpRevoked(list, id[1]) {
			t.Errorf("token list does not show %s revoked:\n%s", id[1], list)
		}
	})
}

// regexpRevoked reports whether id's line of a token list has a revoked date.
func regexpRevoked(list, id string) bool {
	for _, line := range strings.Split(list, "\n") {
		if strings.HasPrefix(line, id) {
			f := strings.Fields(line)
			return len(f) >= 6 && strings.HasPrefix(f[len(f)-1], "20")
		}
	}
	return false
}

// TestReportCommands files, imports, lists and retracts reports from the
// command line on each store: the rules are the API's (internal/ledger),
// an error names the flag or the ledger's line, a bad ledger writes
// nothing, and every write is audited as the operator on whose behalf.
func TestReportCommands(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend) {
		add := []string{"report", "add", "--reporter", "市住建局", "--site", siteA, "--reported-on", "2024-05-31", "--fraction", "0.3", "--source", "市住建局5月台账"}
		var first domain.Report
		if err := json.Unmarshal([]byte(mustCLI(t, b, append(add, "--json")...)), &first); err != nil {
			t.Fatal(err)
		}
		if first.ID == 0 || first.Project != 15 || first.Site != siteA || first.Layer != "old-communities" || first.ReportedBy != "市住建局" ||
			first.Progress != 0.3 || first.Status != domain.ReportInProgress || first.Source != "市住建局5月台账" || first.TokenID != "" {
			t.Errorf("report add filed %+v", first)
		}
		// The same report again is not filed twice.
		if out := mustCLI(t, b, add...); !strings.Contains(out, "already filed") || !strings.Contains(out, "report "+strconv.FormatInt(first.ID, 10)) {
			t.Errorf("the same report again: %s", out)
		}
		if out := mustCLI(t, b, "report", "add", "--reporter", "市发改委", "--project", "4", "--schedule", "charging-piles",
			"--reported-on", "2024-06-30", "--quantity", "2100", "--source", "市发改委台账", "--evidence-url", "https://example.org/r.pdf", "--note", "二季度"); !strings.Contains(out, "filed report") {
			t.Errorf("report add with a quantity: %s", out)
		}
		base := []string{"report", "add", "--reporter", "市住建局", "--project", "15", "--reported-on", "2024-05-31", "--source", "台账"}
		with := func(extra ...string) []string { return append(append([]string{}, base...), extra...) }
		expectFailures(t, b, []bad{
			{with("--fraction", "2"), 1, "--fraction: must lie in 0..1"},
			{with("--fraction", "abc"), 2, "-fraction"},
			{with("--fraction", ".5", "--quantity", "3"), 1, "--quantity: give one measure"},
			{with("--fraction", ".5", "--status", "done"), 1, "--status"},
			{with("--fraction", ".5", "--status", "completed"), 1, "--status: completed contradicts"},
			{with("--fraction", ".5", "--evidence-url", "ftp://x"), 1, "--evidence-url"},
			{with("--fraction", ".5", "--schedule", "nope"), 1, "--schedule: project 15 has no schedule"},
			{with("--fraction", ".5", "--site", siteA, "--schedule", "old-communities"), 1, "--schedule"},
			{with("--milestone", "9"), 1, "--milestone"},
			{with(), 1, "--quantity: give a measure"},
			{[]string{"report", "add", "--reporter", "x", "--project", "99", "--reported-on", "2024-05-31", "--fraction", ".5", "--source", "s"}, 1, "--project: plan xian-2024 has no project 99"},
			{[]string{"report", "add", "--reporter", "x", "--project", "15", "--reported-on", "2999-01-01", "--fraction", ".5", "--source", "s"}, 1, "--reported-on: 2999-01-01 is in the future"},
			{[]string{"report", "add", "--reporter", "x", "--project", "15", "--reported-on", "2023-12-31", "--fraction", ".5", "--source", "s"}, 1, "--reported-on"},
			{[]string{"report", "add", "--reporter", "x", "--project", "15", "--reported-on", "31/5/2024", "--fraction", ".5", "--source", "s"}, 1, "--reported-on"},
			{[]string{"report", "add", "--reporter", "x", "--project", "15", "--reported-on", "2024-05-31", "--fraction", ".5"}, 1, "--source"},
			{[]string{"report", "add", "--reporter", "x", "--site", "nowhere", "--reported-on", "2024-05-31", "--fraction", ".5", "--source", "s"}, 1, "--site"},
			{[]string{"report", "add", "--project", "15", "--reported-on", "2024-05-31", "--fraction", ".5", "--source", "s"}, 2, "--reporter"},
			{[]string{"report", "add", "--reporter", strings.Repeat("局", 101), "--project", "15", "--reported-on", "2024-05-31", "--fraction", ".5", "--source", "s"}, 1, "--reporter: give the holder's name"},
			{[]string{"report", "frob"}, 2, "unknown report command"},
		})
		if n := listReports(t, b, "--limit", "0").NumberMatched; n != 2 {
			t.Fatalf("%d reports after the adds and the refusals, want 2", n)
		}

		good := writeFile(t, "2024-06.csv", "project,schedule,site,reported_on,quantity,fraction,status,source,note\n"+
			"4,charging-piles,,2024-03-31,\"1,200\",,,市发改委台账 2024-03,\n"+
			"15,,"+siteB+",2024-06-30,,50%,,市住建局台账 2024-06,第二批\n"+
			"2,bus-lines,,2024-06-30,,,completed,市交通局通报,\n")
		if out := mustCLI(t, b, "report", "import", "--reporter", "市发改委", good); !strings.Contains(out, "filed 3 reports") {
			t.Errorf("report import: %s", out)
		}
		if out := mustCLI(t, b, "report", "import", good, "--reporter", "市发改委"); !strings.Contains(out, "already filed") {
			t.Errorf("the same ledger again: %s", out)
		}
		if n := listReports(t, b, "--limit", "0").NumberMatched; n != 5 {
			t.Fatalf("%d reports after the import, want 5", n)
		}
		badCSV := writeFile(t, "bad.csv", "project,reported_on,fraction,source\n"+
			"15,2024-06-30,0.5,ok\n"+
			"15,2024-06-30,1.5,too much\n"+
			"15,2024-06-30,0.6,ok\n"+
			"15,2099-01-01,0.5,in the future\n")
		out, errOut, code := cli(t, b, "report", "import", "--reporter", "市住建局", badCSV)
		if code != 1 {
			t.Errorf("a bad ledger: exit %d, want 1\n%s%s", code, out, errOut)
		}
		for _, want := range []string{"line 3: fraction: must lie in 0..1", "line 5: reported_on: 2099-01-01 is in the future", "2 problems; nothing was filed"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("a bad ledger: stderr lacks %q:\n%s", want, errOut)
			}
		}
		if strings.Contains(errOut, "line 2") || strings.Contains(errOut, "line 4") {
			t.Errorf("good lines named as bad:\n%s", errOut)
		}
		expectFailures(t, b, []bad{
			{[]string{"report", "import", "--reporter", "x", writeFile(t, "h.csv", "project,reported,fraction,source\n15,2024-06-30,0.5,s\n")}, 1, "line 1: reported: unknown column"},
			{[]string{"report", "import", "--reporter", "x", writeFile(t, "n.csv", "project,reported_on,fraction,source\n15,2024-06-30,0.5,s\n15,2024-06-30,x,s\n")}, 1, "line 3: fraction: \"x\" is not a number"},
			{[]string{"report", "import", "--reporter", "x", writeFile(t, "e.csv", "")}, 1, "empty"},
			{[]string{"report", "import", "--reporter", "x", filepath.Join(t.TempDir(), "missing.csv")}, 1, "missing.csv"},
			{[]string{"report", "import", "--reporter", "x"}, 2, "one ledger file"},
			{[]string{"report", "import", badCSV}, 2, "--reporter"},
		})
		if n := listReports(t, b, "--limit", "0").NumberMatched; n != 5 {
			t.Errorf("%d reports after the bad ledgers, want 5: something was written", n)
		}

		// list: filters, limits, the table.
		p15 := listReports(t, b, "--project", "15")
		if p15.NumberMatched != 2 {
			t.Errorf("--project 15: %d reports, want 2", p15.NumberMatched)
		}
		for _, r := range p15.Reports {
			if r.Project != 15 {
				t.Errorf("--project 15 lists %+v", r)
			}
		}
		if l := listReports(t, b, "--site", siteA); l.NumberMatched != 1 || l.Reports[0].ID != first.ID {
			t.Errorf("--site %s: %+v", siteA, l)
		}
		if l := listReports(t, b, "--limit", "2"); l.NumberReturned != 2 || l.NumberMatched != 5 || l.Reports[0].ReportedOn < l.Reports[1].ReportedOn {
			t.Errorf("--limit 2: %+v", l)
		}
		table := mustCLI(t, b, "report", "list")
		for _, want := range []string{"REPORTED_ON", "project 4 · charging-piles", "2100 charging_piles", "site " + siteA, "5 of 5 reports"} {
			if !strings.Contains(table, want) {
				t.Errorf("report list lacks %q:\n%s", want, table)
			}
		}
		expectFailures(t, b, []bad{
			{[]string{"report", "list", "--since", "June"}, 2, "--since"},
			{[]string{"report", "list", "--limit", "-1"}, 2, "--limit"},
		})

		// retract: a new record; the report stays, marked.
		sid := strconv.FormatInt(first.ID, 10)
		if out := mustCLI(t, b, "report", "retract", sid, "--reason", "录入错误：比例应为0.35"); !strings.Contains(out, "retracted report "+sid) || !strings.Contains(out, "市住建局") {
			t.Errorf("report retract: %s", out)
		}
		l := listReports(t, b, "--site", siteA)
		if l.NumberMatched != 1 || l.Reports[0].Retraction == nil || l.Reports[0].Retraction.Reason != "录入错误：比例应为0.35" {
			t.Errorf("the retracted report: %+v", l)
		}
		if table := mustCLI(t, b, "report", "list", "--site", siteA); !strings.Contains(table, "retracted: 录入错误") {
			t.Errorf("report list does not show the retraction:\n%s", table)
		}
		expectFailures(t, b, []bad{
			{[]string{"report", "retract", sid, "--reason", "again"}, 1, "report " + sid},
			{[]string{"report", "retract", "999999", "--reason", "x"}, 1, "no report 999999"},
			{[]string{"report", "retract", sid}, 1, "--reason"},
			{[]string{"report", "retract", "x", "--reason", "x"}, 2, "not a report id"},
		})

		checkAudit(t, b)
	})
}

// checkAudit opens the store in the test and finds the command line's
// writes audited under the operator's account, on whose behalf.
func checkAudit(t *testing.T, b backend) {
	t.Helper()
	ctx := context.Background()
	s, err := openStore(ctx, storeConfig{databaseURL: b.url, dataDir: b.dir}, storetest.Dataset(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	entries, err := s.Audit(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"report.file":    "cli:e2e-operator as 市住建局",
		"report.retract": "cli:e2e-operator as 市住建局",
	}
	for _, e := range entries {
		if e.Actor == want[e.Action] && e.Remote == "local" && !e.At.IsZero() && time.Since(e.At) < time.Hour {
			delete(want, e.Action)
		}
	}
	if len(want) > 0 {
		t.Errorf("no audit entries %v among %+v", want, entries)
	}
}

// TestCommandLineWhileServing runs the commands on the store a server is
// using at that moment: a token made, a report filed, retracted or a
// token revoked from the command line takes effect in the running server,
// and the server's writes show in the command line.
func TestCommandLineWhileServing(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend) {
		p := startProc(t, b, noLimit...)
		id, secret := createToken(t, b, "--name", "市住建局", "--role", "reporter", "--projects", "15")
		r, err := post(p.base, "/api/reports", secret, "", "application/json", siteReportJSON(siteA, "through the API", 0.4))
		if err != nil || r.status != 201 {
			t.Fatalf("filing with a token made while serving: %v %s\n%s", err, r, p.stderr.String())
		}
		viaAPI := filed(t, r)[0]

		props, etag := itemProps(t, p.base, siteItem(siteB), "")
		if props["report_id"] != nil {
			t.Fatalf("%s has a report before any was filed: %v", siteB, props)
		}
		var viaCLI apiReport
		out := mustCLI(t, b, "report", "add", "--json", "--reporter", "市住建局", "--site", siteB, "--reported-on", "2024-09-30", "--fraction", "0.75", "--source", "市住建局9月台账")
		if err := json.Unmarshal([]byte(out), &viaCLI); err != nil {
			t.Fatal(err)
		}
		if _, ok := waitVisible(t, p.base, siteB, viaCLI.ID, 0.75, etag, 5*time.Second); !ok {
			t.Fatalf("report %d filed from the command line is not visible through the running server", viaCLI.ID)
		}
		got := get(t, p.base+"/api/reports/"+strconv.FormatInt(viaCLI.ID, 10))
		var rep apiReport
		if json.Unmarshal(got.body, &rep) != nil || !rep.same(viaCLI) {
			t.Errorf("the server has report %d as %s, the command line filed %+v", viaCLI.ID, got.body, viaCLI)
		}

		l := listReports(t, b)
		if l.NumberMatched != 2 || l.Reports[0].ID != viaCLI.ID || l.Reports[1].ID != viaAPI.ID {
			t.Errorf("report list while serving: %+v", l)
		}

		mustCLI(t, b, "report", "retract", strconv.FormatInt(viaAPI.ID, 10), "--reason", "重复报送")
		got = get(t, p.base+"/api/reports/"+strconv.FormatInt(viaAPI.ID, 10))
		if json.Unmarshal(got.body, &rep) != nil || rep.Retraction == nil || rep.Retraction.Reason != "重复报送" {
			t.Errorf("the server does not show the retraction made from the command line: %s", got.body)
		}
		for began := time.Now(); ; time.Sleep(10 * time.Millisecond) {
			props, _ := itemProps(t, p.base, siteItem(siteA), "")
			if props["report_id"] == nil {
				break
			}
			if time.Since(began) > time.Second {
				t.Errorf("%s still shows retracted report %v after a second", siteA, props["report_id"])
				break
			}
		}

		mustCLI(t, b, "token", "revoke", id)
		if r, _ := post(p.base, "/api/reports", secret, "", "application/json", siteReportJSON(siteA, "after revoke", 0.5)); r.status != 401 {
			t.Errorf("a token revoked while serving: %s, want 401", r)
		}
		p.stop(t)
	})
}
