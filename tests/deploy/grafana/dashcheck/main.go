// dashcheck: every dashboard JSON file given on the command line must decode strictly into the
// Grafana foundation SDK's dashboard.Dashboard (no unknown field, no wrong type, required fields
// present; panels' options, field configs and Prometheus queries through the SDK's plugin
// variants) and pass its Validate(). Exit 1 naming the file and the field otherwise.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// failed turns the SDK's "no error" into nil: its generated functions return their error list
// as an error even when it is empty (a typed nil in a non-nil interface).
func failed(err error) error {
	var list cog.BuildErrors
	if errors.As(err, &list) && len(list) == 0 {
		return nil
	}
	return err
}

func check(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var d dashboard.Dashboard
	if err := failed(d.UnmarshalJSONStrict(raw)); err != nil {
		return fmt.Errorf("strict unmarshal: %w", err)
	}
	if err := failed(d.Validate()); err != nil {
		return fmt.Errorf("validate: %w", err)
	}
	if d.Uid == nil || *d.Uid == "" {
		return fmt.Errorf("no uid")
	}
	// Counted from the JSON: the SDK leaves PanelOrRowPanel empty when its own error list is
	// empty (see failed), though it checks every panel.
	var shape struct {
		Panels []struct {
			Type string `json:"type"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &shape); err != nil {
		return err
	}
	panels := 0
	for _, p := range shape.Panels {
		if p.Type != "row" {
			panels++
		}
	}
	title := ""
	if d.Title != nil {
		title = *d.Title
	}
	fmt.Printf("ok %s: %q, %d panels, schemaVersion %d\n", path, title, panels, d.SchemaVersion)
	return nil
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: dashcheck DASHBOARD.json...")
		os.Exit(2)
	}
	plugins.RegisterDefaultPlugins()
	failed := false
	for _, path := range os.Args[1:] {
		if err := check(path); err != nil {
			fmt.Fprintf(os.Stderr, "FAIL %s: %v\n", path, err)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}
