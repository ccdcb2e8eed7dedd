package webtest

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// testShare: the 分享 / Share button hands out the view's share card,
// whose page names the static map of the same view as its og:image.
func testShare(t *testing.T, ctx context.Context, base string) {
	hash := "#map=12/34.26000/108.94000&layers=metro-lines&date=2024-09-30&lang=zh"
	if err := load(ctx, base+"/"+hash); err != nil {
		t.Fatal(err)
	}
	if label, _ := eval[string](ctx, `document.getElementById('pm-btn-share').textContent`); !strings.Contains(label, "分享") {
		t.Errorf("share button reads %q, want 分享", label)
	}
	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("pm-btn-share")),
		poll[chromedp.Void](`document.getElementById('pm-share-status').textContent !== ''`,
			chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil {
		t.Fatalf("pressing 分享: %v", err)
	}
	u, _ := eval[string](ctx, `document.getElementById('pm-btn-share').dataset.url`)
	status, _ := eval[string](ctx, `document.getElementById('pm-share-status').textContent`)
	t.Logf("share link %s; the page said %q", u, status)
	if !strings.HasPrefix(u, base+"/share?map=12/34.26000/108.94000") || !strings.Contains(u, "layers=metro-lines") || !strings.Contains(u, "date=2024-09-30") {
		t.Fatalf("share link %q, want %s/share? with the view's state", u, base)
	}
	if status != "已复制分享链接。" && !strings.Contains(status, u) {
		t.Errorf("after 分享 the page says %q: neither copied nor the link to copy by hand", status)
	}
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `property="og:image" content="`+base+`/static/metro-lines.png?`) {
		t.Errorf("the share card: %d, og:image not the static map of the view:\n%s", res.StatusCode, body)
	}
}
