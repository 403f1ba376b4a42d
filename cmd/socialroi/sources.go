package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/socialroi/socialroi/extract"
)

func newSourcesCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "sources",
		Short: "List the source types and their settings",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, k := range extract.Kinds() {
				fmt.Fprintf(g.stdout, "%s — %s\n", k.Name, k.Summary)
				if len(k.Tables) > 0 {
					fmt.Fprintf(g.stdout, "  fills: %s\n", strings.Join(k.Tables, ", "))
				}
				if k.Settings != "" {
					fmt.Fprintln(g.stdout, "  settings:")
					for _, line := range strings.Split(strings.TrimRight(k.Settings, "\n"), "\n") {
						fmt.Fprintln(g.stdout, "    "+line)
					}
				}
				fmt.Fprintln(g.stdout)
			}
			return nil
		},
	}
}
