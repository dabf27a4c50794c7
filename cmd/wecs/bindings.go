package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/wecs-tui/wecs/kube"
)

// bindingsOutputs are the -o values of `wecs bindings`.
var bindingsOutputs = []string{outputTable, outputWide, "json", "yaml"}

func newBindings(kf *kube.Flags, configPath *string) *cobra.Command {
	ff := &fleetFlags{kube: kf}
	var output, wdsContext string
	var noHeaders bool
	cmd := &cobra.Command{
		Use:   "bindings [POLICY]",
		Short: "Compare what each KubeStellar binding policy selects with what reached the WECs",
		Long: `For each BindingPolicy of the WDS (--wds-context, default wds1 when the kubeconfig has it):
the WECs it selects now and, per WEC and selected object, whether its ManifestWork is on the ITS,
applied and available as the WEC's work agent reports (with the Deployment replicas it feeds back),
and every gap: NotDelivered (selected, no ManifestWork), NotApplied (with the agent's reason),
NotAvailable (applied, not available) and NotSelected (delivered, no longer selected).
Everything is read from the ITS and the WDS: a WEC need not be reachable. Without a WDS the
policies are those the ManifestWorks name, and the WECs selected are those that have one.

Exit status: 0 when every selected WEC has an applied, available copy of every object,
2 when some lacks one, 1 on error.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ff.configPath = *configPath
			if !slices.Contains(bindingsOutputs, output) {
				return fmt.Errorf("-o %q: bindings prints %s", output, strings.Join(bindingsOutputs, ", "))
			}
			kc, its, _, err := ff.loadConfig()
			if err != nil {
				return err
			}
			_, wdsConfig, err := wdsConfig(kc, wdsContext)
			if err != nil {
				return err
			}
			itsConfig, err := kc.RESTConfig(its)
			if err != nil {
				return err
			}
			bindings, err := kube.ReadBindings(cmd.Context(), itsConfig, wdsConfig)
			if err != nil {
				return err
			}
			if len(args) == 1 {
				i := slices.IndexFunc(bindings, func(b kube.PolicyBinding) bool { return b.Name == args[0] })
				if i < 0 {
					return fmt.Errorf("no binding policy %q; the policies are: %s", args[0], policyNames(bindings))
				}
				bindings = bindings[i : i+1]
			}
			if err := printBindings(cmd.OutOrStdout(), output, noHeaders, bindings); err != nil {
				return err
			}
			missing := 0
			for _, b := range bindings {
				if b.MissingCopies() {
					missing++
				}
			}
			if missing > 0 {
				return &exitCodeError{code: exitPartial, err: fmt.Errorf("%d of %d binding policies leave a selected WEC without an applied, available copy; see STATE", missing, len(bindings))}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", outputTable, "output format: "+strings.Join(bindingsOutputs, ", "))
	completeOutput(cmd, bindingsOutputs)
	cmd.Flags().BoolVar(&noHeaders, "no-headers", false, "print tables without the header line")
	addWDSFlag(cmd, &wdsContext)
	return cmd
}

func addWDSFlag(cmd *cobra.Command, wdsContext *string) {
	cmd.Flags().StringVar(wdsContext, "wds-context", "", "kubeconfig context of the WDS holding the BindingPolicies (default wds1 when present)")
}

// wdsConfig resolves the WDS's context (named, else wds1 when the
// kubeconfig has it) and its client config; "" and nil when there is none.
func wdsConfig(kc *kube.Kubeconfig, named string) (string, *rest.Config, error) {
	wds, err := kc.WDSContext(named)
	if err != nil || wds == "" {
		return "", nil, err
	}
	cfg, err := kc.RESTConfig(wds)
	return wds, cfg, err
}

// wdsClient reaches the WDS the UI shows (its binding policies and staged
// objects): the one named, whose failure is an error, else wds1 when the
// kubeconfig has a usable one, else none (nil).
func (ff *fleetFlags) wdsClient(named string) (string, *kube.WDSClient, error) {
	kc, _, _, err := ff.loadConfig()
	if err != nil {
		return "", nil, err
	}
	wds, cfg, err := wdsConfig(kc, named)
	if err == nil && cfg != nil {
		var client *kube.WDSClient
		if client, err = kube.NewWDSClient(cfg, kc.ReadOnly()); err == nil {
			return wds, client, nil
		}
		err = fmt.Errorf("WDS context %q: %w", wds, err)
	}
	if named == "" {
		return "", nil, nil
	}
	return "", nil, err
}

func policyNames(bindings []kube.PolicyBinding) string {
	if len(bindings) == 0 {
		return "none"
	}
	names := make([]string, len(bindings))
	for i, b := range bindings {
		names[i] = b.Name
	}
	return strings.Join(names, ", ")
}

// bindingsDocument is what -o json and yaml print.
type bindingsDocument struct {
	Policies []kube.PolicyBinding `json:"policies"`
}

// printBindings prints one row per policy, object and WEC (a policy with no
// WEC or no object gets one row saying so).
func printBindings(w io.Writer, output string, noHeaders bool, bindings []kube.PolicyBinding) error {
	switch output {
	case "json":
		data, err := json.MarshalIndent(bindingsDocument{Policies: bindings}, "", "    ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", data)
		return err
	case "yaml":
		data, err := yaml.Marshal(bindingsDocument{Policies: bindings})
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	wide := output == outputWide
	tw := newTable(w)
	if !noHeaders {
		header := "POLICY\tOBJECT\tWEC\tSTATE\tREASON"
		if wide {
			header += "\tAPPLIED\tAVAILABLE\tFEEDBACK\tMANIFESTWORK"
		}
		fmt.Fprintln(tw, header)
	}
	for _, b := range bindings {
		switch {
		case len(b.Objects) == 0:
			fmt.Fprintln(tw, tableRow([]string{b.Name, "-", "-", "-", "selects no object of the WDS"}))
			continue
		case len(b.Objects[0].Deliveries) == 0:
			fmt.Fprintln(tw, tableRow([]string{b.Name, "-", "-", "-", "selects no WEC"}))
			continue
		}
		for _, o := range b.Objects {
			for _, d := range o.Deliveries {
				cols := []string{b.Name, o.ObjectRef.Text(), d.Cluster, string(d.State), dash(d.Reason)}
				if wide {
					cols = append(cols, yesNo(d.Applied), yesNo(d.Available), dash(feedbackText(d.Feedback)), dash(d.Work))
				}
				fmt.Fprintln(tw, tableRow(cols))
			}
		}
	}
	return tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func feedbackText(values map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(values)) {
		parts = append(parts, k+"="+values[k])
	}
	return strings.Join(parts, ",")
}
