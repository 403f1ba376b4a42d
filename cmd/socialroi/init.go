package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/socialroi/socialroi/config"
)

func newInitCmd(g *globals) *cobra.Command {
	var path string
	var force bool
	cmd := &cobra.Command{
		Use:   "init [--path socialroi.yaml]",
		Short: "Write a commented starter config",
		Long: `Writes a starter socialroi.yaml that documents every setting. Secrets are
referenced as ${ENV_VAR}; fill in your account ids and export the variables.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := os.Stat(path); err == nil && !force {
				return usageErr("%s exists; pass --force to overwrite it", path)
			}
			if err := os.WriteFile(path, []byte(config.Starter), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "Wrote %s. Edit it, export the credentials it names, then:\n  socialroi run --config %s\n", path, path)
			return nil
		},
	}
	cmd.Flags().StringVar(&path, "path", "socialroi.yaml", "where to write the config")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite an existing file")
	return cmd
}
