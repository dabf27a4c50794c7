package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/printers"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/util/jsonpath"

	"github.com/wecs-tui/wecs/internal/termtext"
	"github.com/wecs-tui/wecs/kube"
)

// printFlags are kubectl's output flags: -o with cli-runtime's printers,
// and for tables --no-headers, --show-labels and -L.
type printFlags struct {
	print        *genericclioptions.PrintFlags
	noHeaders    bool
	showLabels   bool
	labelColumns []string
	// formats are the -o values the command takes.
	formats []string
}

// Table formats: printed by wecs's own columns.
const (
	outputTable = "table" // also the empty -o
	outputWide  = "wide"
)

// customColumnsPrefix starts -o custom-columns=NAME:.json.path,….
const customColumnsPrefix = "custom-columns="

func newPrintFlags() *printFlags {
	return &printFlags{print: genericclioptions.NewPrintFlags("").WithTypeSetter(scheme.Scheme)}
}

// addFlags registers -o and what goes with it; labels adds the label
// flags of object tables.
func (p *printFlags) addFlags(cmd *cobra.Command, labels bool) {
	p.print.AddFlags(cmd)
	p.formats = append([]string{outputTable, outputWide}, p.print.AllowedFormats()...)
	if labels {
		p.formats = append(p.formats, "custom-columns")
	}
	completeOutput(cmd, p.formats)
	cmd.Flags().Lookup("output").Usage = "output format: " + strings.Join(p.formats, ", ") + " (jsonpath=…, go-template=…, custom-columns=… take their template after =)"
	cmd.Flags().BoolVar(&p.noHeaders, "no-headers", false, "print tables without the header line")
	if labels {
		cmd.Flags().BoolVar(&p.showLabels, "show-labels", false, "add a LABELS column with every label, as kubectl's")
		cmd.Flags().StringSliceVarP(&p.labelColumns, "label-columns", "L", nil, "add a column with the value of each of these labels (repeatable or comma-separated)")
	}
}

func (p *printFlags) format() string { return *p.print.OutputFormat }

// table reports whether -o asks for wecs's table (the default, or wide).
func (p *printFlags) table() bool {
	return slices.Contains([]string{"", outputTable, outputWide}, p.format())
}

// wide reports whether -o wide asks for the wide table.
func (p *printFlags) wide() bool { return p.format() == outputWide }

// printer is cli-runtime's printer for -o, for every format but the tables.
func (p *printFlags) printer() (printers.ResourcePrinter, error) {
	if spec, ok := strings.CutPrefix(p.format(), customColumnsPrefix); ok {
		return newCustomColumns(spec, p.noHeaders)
	}
	if p.format() == "yaml" {
		json, err := p.print.JSONYamlPrintFlags.ToPrinter("json")
		if err != nil {
			return nil, err
		}
		return p.print.TypeSetterPrinter.WrapToPrinter(&safeYAML{json: json}, nil)
	}
	printer, err := p.print.ToPrinter()
	if genericclioptions.IsNoCompatiblePrinterError(err) {
		return nil, fmt.Errorf("-o %s: use one of %s", p.format(), strings.Join(p.formats, ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("-o %s: %v", p.format(), err)
	}
	return printer, nil
}

// tablePrinter prints wecs's tables with kubectl's table printer.
func (p *printFlags) tablePrinter() printers.ResourcePrinter {
	return printers.NewTablePrinter(printers.PrintOptions{NoHeaders: p.noHeaders, Wide: p.wide(),
		ShowLabels: p.showLabels, ColumnLabels: p.labelColumns})
}

// list is a kubectl List of objects, as kubectl get prints several.
func list(items []*unstructured.Unstructured) *unstructured.UnstructuredList {
	l := &unstructured.UnstructuredList{Object: map[string]any{"apiVersion": "v1", "kind": "List",
		"metadata": map[string]any{"resourceVersion": ""}}}
	for _, it := range items {
		l.Items = append(l.Items, *it)
	}
	if l.Items == nil {
		l.Items = []unstructured.Unstructured{}
	}
	return l
}

// objectColumns are the columns of `wecs get`'s table: kubectl's for the
// kinds, with CLUSTER first and KIND (several kinds share one table).
// RESTARTS is there when pods are listed; -o wide adds BINDING-POLICY and,
// unless --show-labels adds them, the LABELS.
func (p *printFlags) objectColumns(pods bool) []metav1.TableColumnDefinition {
	cols := []metav1.TableColumnDefinition{{Name: "Cluster"}, {Name: "Namespace"}, {Name: "Kind"}, {Name: "Name"}, {Name: "Ready"}, {Name: "Status"}}
	if pods {
		cols = append(cols, metav1.TableColumnDefinition{Name: "Restarts"})
	}
	cols = append(cols, metav1.TableColumnDefinition{Name: "Age"}, metav1.TableColumnDefinition{Name: "Binding-Policy", Priority: 1})
	if !p.showLabels {
		cols = append(cols, metav1.TableColumnDefinition{Name: "Labels", Priority: 1})
	}
	for i := range cols {
		cols[i].Type = "string"
	}
	return cols
}

// objectRow is one object's row of the table; policies name the binding
// policies behind delivered objects.
func (p *printFlags) objectRow(o kube.Object, obj k8sruntime.Object, policies kube.BindingPolicies, pods bool, now time.Time) metav1.TableRow {
	cells := []string{o.Cluster, dash(o.Namespace), o.Kind, o.Name, dash(o.Ready), o.StatusWord()}
	if pods {
		cells = append(cells, dash(o.RestartsText(now)))
	}
	cells = append(cells, duration.HumanDuration(now.Sub(o.Created)), delivery(o, policies.Of(o.Cluster, o.DeliveredBy)))
	if !p.showLabels {
		cells = append(cells, dash(labelsText(o.Labels)))
	}
	return metav1.TableRow{Cells: cleanCells(cells), Object: k8sruntime.RawExtension{Object: obj}}
}

// cleanCells escapes, cell by cell, what would garble the terminal or the
// columns (before they are aligned).
func cleanCells(cells []string) []any {
	out := make([]any, len(cells))
	for i, c := range cells {
		out[i] = termtext.Clean(c)
	}
	return out
}

// delivery says how KubeStellar delivered an object: its binding policy,
// else "delivered" when only the AppliedManifestWork is known, else "-".
func delivery(o kube.Object, policy string) string {
	switch {
	case policy != "":
		return policy
	case o.DeliveredBy != "":
		return "delivered"
	}
	return "-"
}

// customColumns is kubectl's -o custom-columns: a table whose columns are
// JSONPath expressions, headed by the names as given, once.
type customColumns struct {
	names     []string
	paths     []*jsonpath.JSONPath
	noHeaders bool
	headed    bool
}

// newCustomColumns parses NAME:.json.path pairs separated by commas.
func newCustomColumns(spec string, noHeaders bool) (*customColumns, error) {
	c := &customColumns{noHeaders: noHeaders}
	for _, col := range strings.Split(spec, ",") {
		name, expr, ok := strings.Cut(col, ":")
		if !ok || name == "" || expr == "" {
			return nil, fmt.Errorf("-o custom-columns: %q is not NAME:.json.path; write e.g. custom-columns=NAME:.metadata.name,CLUSTER:.metadata.annotations.wecs\\.dev/cluster", col)
		}
		jp := jsonpath.New(name).AllowMissingKeys(true)
		if err := jp.Parse(relaxedJSONPath(expr)); err != nil {
			return nil, fmt.Errorf("-o custom-columns: column %s: %v", name, err)
		}
		c.names = append(c.names, name)
		c.paths = append(c.paths, jp)
	}
	return c, nil
}

// relaxedJSONPath accepts what kubectl's custom columns accept: .a.b,
// a.b or {.a.b}.
func relaxedJSONPath(expr string) string {
	expr = strings.TrimSuffix(strings.TrimPrefix(expr, "{"), "}")
	if !strings.HasPrefix(expr, ".") {
		expr = "." + expr
	}
	return "{" + expr + "}"
}

// PrintObj prints a List's items, or one object, one row each.
func (c *customColumns) PrintObj(obj k8sruntime.Object, w io.Writer) error {
	var items []unstructured.Unstructured
	switch o := obj.(type) {
	case *unstructured.UnstructuredList:
		items = o.Items
	case *unstructured.Unstructured:
		items = []unstructured.Unstructured{*o}
	default:
		return fmt.Errorf("custom-columns cannot print %T", obj)
	}
	tw := printers.GetNewTabWriter(w)
	if !c.noHeaders && !c.headed {
		c.headed = true
		fmt.Fprintln(tw, termtext.Clean(strings.Join(c.names, "\t")))
	}
	for _, it := range items {
		cells := make([]string, len(c.paths))
		for i, jp := range c.paths {
			results, err := jp.FindResults(it.Object)
			if err != nil {
				return fmt.Errorf("-o custom-columns: column %s: %v", c.names[i], err)
			}
			cells[i] = termtext.Clean(jsonPathValues(results))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}

// jsonPathValues joins what a JSONPath found with commas; "<none>" when nothing.
func jsonPathValues(results [][]reflect.Value) string {
	var values []string
	for _, r := range results {
		for _, v := range r {
			if v.IsValid() && v.CanInterface() && v.Interface() != nil {
				values = append(values, fmt.Sprint(v.Interface()))
			}
		}
	}
	if len(values) == 0 {
		return "<none>"
	}
	return strings.Join(values, ",")
}

// safeYAML prints objects as YAML that any text from a cluster leaves
// valid: kubectl's YAML printer refuses strings with control characters,
// so the objects are printed by its JSON printer and turned into YAML that
// escapes them. Objects after the first start a new document, as kubectl's.
type safeYAML struct {
	json    printers.ResourcePrinter
	printed bool
}

func (y *safeYAML) PrintObj(obj k8sruntime.Object, w io.Writer) error {
	var buf bytes.Buffer
	if err := y.json.PrintObj(obj, &buf); err != nil {
		return err
	}
	data, err := termtext.YAML(json.RawMessage(buf.Bytes()))
	if err != nil {
		return err
	}
	if y.printed {
		data = append([]byte("---\n"), data...)
	}
	y.printed = true
	_, err = w.Write(data)
	return err
}

// watchEvent wraps an object in the event type it came with, for
// --output-watch-events.
func watchEvent(t watch.EventType, obj k8sruntime.Object) *metav1.WatchEvent {
	return &metav1.WatchEvent{Type: string(t), Object: k8sruntime.RawExtension{Object: obj}}
}
