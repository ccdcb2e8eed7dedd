package api

import (
	"bytes"
	"net/http"

	"github.com/labstack/echo/v4"
)

// writeJSON writes v with status 200 and the given media type.
func writeJSON(c echo.Context, mediaType string, v any) error {
	if err := stillWanted(c); err != nil {
		return err
	}
	return writeJSONStatus(c, http.StatusOK, mediaType, v)
}

// writeJSONStatus encodes v in full before it sends the status, so that
// an encoding failure is still an error response and not a truncated 200.
// HTML characters are not escaped, so Chinese text and "&" stay as they are.
func writeJSONStatus(c echo.Context, status int, mediaType string, v any) error {
	var buf bytes.Buffer
	if err := jsonEncoder(&buf).Encode(v); err != nil {
		return err
	}
	return c.Blob(status, mediaType, buf.Bytes())
}

// noCache makes clients revalidate (by ETag) every time: for data that a
// filed report changes, so that no one is shown a stale status.
func noCache(c echo.Context) {
	c.Response().Header().Set("Cache-Control", "no-cache")
}

// noStore keeps a response out of every cache: writes and private data.
func noStore(c echo.Context) {
	c.Response().Header().Set("Cache-Control", "no-store")
}
