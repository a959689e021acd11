// helm-render: renders a Helm chart the way `helm template` does, for tests on a machine without a
// helm binary. Same engine as Helm (Go text/template + sprig), Helm's own functions on top, and the
// same inputs: values.yaml, then -f files, then --set / --set-string / --set-json, merged in that
// order (null deletes a key). Output: every rendered template as `---\n# Source: <chart>/<path>`.
//
// Build offline (Debian packages golang-go, golang-github-masterminds-sprig-dev,
// golang-gopkg-yaml.v3-dev):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o helm-render render.go
//
// Not Helm: no subcharts, no hooks handling, no values.schema.json validation (the TS tests do
// that), `lookup` always finds nothing (as in `helm template`).
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"gopkg.in/yaml.v3"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	var valueFiles, sets, setStrings, setJSONs, apiVersions listFlag
	name := flag.String("name", "release-name", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	kubeVersion := flag.String("kube-version", "v1.32.0", "Kubernetes version for .Capabilities")
	notes := flag.Bool("notes", false, "render templates/NOTES.txt only")
	upgrade := flag.Bool("upgrade", false, ".Release.IsUpgrade instead of IsInstall")
	flag.Var(&valueFiles, "f", "values file (repeatable)")
	flag.Var(&sets, "set", "a.b=c[,x=y] (repeatable)")
	flag.Var(&setStrings, "set-string", "a.b=c, value kept a string (repeatable)")
	flag.Var(&setJSONs, "set-json", "a.b=<json> (repeatable)")
	flag.Var(&apiVersions, "a", "extra API version for .Capabilities.APIVersions (repeatable)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: helm-render [flags] CHART_DIR")
		os.Exit(2)
	}
	out, err := render(flag.Arg(0), options{
		name: *name, namespace: *namespace, kubeVersion: *kubeVersion, notes: *notes, upgrade: *upgrade,
		valueFiles: valueFiles, sets: sets, setStrings: setStrings, setJSONs: setJSONs, apiVersions: apiVersions,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
	os.Stdout.WriteString(out)
}

type options struct {
	name, namespace, kubeVersion                        string
	notes, upgrade                                      bool
	valueFiles, sets, setStrings, setJSONs, apiVersions []string
}

// ---- values -------------------------------------------------------------------------------

// readYAMLMap reads YAML as Helm does (sigs.k8s.io/yaml: through JSON, so numbers are float64).
func readYAMLMap(data []byte) (map[string]interface{}, error) {
	var raw interface{}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return map[string]interface{}{}, nil
	}
	j, err := json.Marshal(normalize(raw))
	if err != nil {
		return nil, err
	}
	out := map[string]interface{}{}
	if err := json.Unmarshal(j, &out); err != nil {
		return nil, fmt.Errorf("values must be a map: %v", err)
	}
	return out, nil
}

// normalize turns yaml.v3's map[interface{}]interface{} (non-string keys) into JSON-able maps.
func normalize(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		for k, x := range t {
			t[k] = normalize(x)
		}
		return t
	case map[interface{}]interface{}:
		m := map[string]interface{}{}
		for k, x := range t {
			m[fmt.Sprint(k)] = normalize(x)
		}
		return m
	case []interface{}:
		for i, x := range t {
			t[i] = normalize(x)
		}
		return t
	}
	return v
}

// merge coalesces src over dst (Helm: maps merge deeply, anything else replaces, null deletes).
func merge(dst, src map[string]interface{}) map[string]interface{} {
	for k, v := range src {
		if v == nil {
			delete(dst, k)
			continue
		}
		sm, sok := v.(map[string]interface{})
		dm, dok := dst[k].(map[string]interface{})
		if sok && dok {
			dst[k] = merge(dm, sm)
		} else {
			dst[k] = v
		}
	}
	return dst
}

// setPath writes value at a --set path: dotted keys, `\.` for a literal dot, `name[i]` list items.
func setPath(root map[string]interface{}, p string, value interface{}) error {
	var parts []string
	cur := ""
	for i := 0; i < len(p); i++ {
		if p[i] == '\\' && i+1 < len(p) {
			cur += string(p[i+1])
			i++
		} else if p[i] == '.' {
			parts = append(parts, cur)
			cur = ""
		} else {
			cur += string(p[i])
		}
	}
	parts = append(parts, cur)
	var node interface{} = root
	for i, part := range parts {
		key, idx := part, -1
		if b := strings.Index(part, "["); b >= 0 && strings.HasSuffix(part, "]") {
			n, err := strconv.Atoi(part[b+1 : len(part)-1])
			if err != nil || n < 0 {
				return fmt.Errorf("bad list index in %q", p)
			}
			key, idx = part[:b], n
		}
		m, ok := node.(map[string]interface{})
		if !ok {
			return fmt.Errorf("%q: %q is not a map", p, key)
		}
		last := i == len(parts)-1
		if idx < 0 {
			if last {
				m[key] = value
				return nil
			}
			if _, ok := m[key].(map[string]interface{}); !ok {
				m[key] = map[string]interface{}{}
			}
			node = m[key]
			continue
		}
		list, _ := m[key].([]interface{})
		for len(list) <= idx {
			list = append(list, nil)
		}
		m[key] = list
		if last {
			list[idx] = value
			return nil
		}
		if _, ok := list[idx].(map[string]interface{}); !ok {
			list[idx] = map[string]interface{}{}
		}
		node = list[idx]
	}
	return nil
}

// splitSet splits `a=1,b=2` at commas not escaped with a backslash.
func splitSet(s string) []string {
	var out []string
	cur := ""
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && s[i+1] == ',' {
			cur += ","
			i++
		} else if s[i] == ',' {
			out = append(out, cur)
			cur = ""
		} else {
			cur += string(s[i])
		}
	}
	return append(out, cur)
}

// typed is Helm's --set typing: integers, booleans and null; everything else a string.
func typed(v string) interface{} {
	switch v {
	case "true":
		return true
	case "false":
		return false
	case "null":
		return nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && (v == "0" || !strings.HasPrefix(v, "0")) {
		return n
	}
	return v
}

func values(chartDir string, o options) (map[string]interface{}, error) {
	base, err := os.ReadFile(filepath.Join(chartDir, "values.yaml"))
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	vals, err := readYAMLMap(base)
	if err != nil {
		return nil, fmt.Errorf("values.yaml: %v", err)
	}
	for _, f := range o.valueFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		m, err := readYAMLMap(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", f, err)
		}
		vals = merge(vals, m)
	}
	overrides := map[string]interface{}{}
	apply := func(list []string, conv func(string) (interface{}, error)) error {
		for _, s := range list {
			items := []string{s}
			if conv == nil {
				items = splitSet(s)
			}
			for _, item := range items {
				eq := strings.Index(item, "=")
				if eq <= 0 {
					return fmt.Errorf("--set %q: expected key=value", item)
				}
				var v interface{} = typed(item[eq+1:])
				if conv != nil {
					if v, err = conv(item[eq+1:]); err != nil {
						return fmt.Errorf("%q: %v", item, err)
					}
				}
				if err := setPath(overrides, item[:eq], v); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := apply(o.sets, nil); err != nil {
		return nil, err
	}
	if err := apply(o.setStrings, func(s string) (interface{}, error) { return s, nil }); err != nil {
		return nil, err
	}
	if err := apply(o.setJSONs, func(s string) (interface{}, error) {
		var v interface{}
		err := json.Unmarshal([]byte(s), &v)
		return v, err
	}); err != nil {
		return nil, err
	}
	return merge(vals, overrides), nil
}

// ---- the objects templates see -------------------------------------------------------------

type files map[string][]byte

func (f files) Get(name string) string      { return string(f[name]) }
func (f files) GetBytes(name string) []byte { return f[name] }
func (f files) Lines(name string) []string {
	s := strings.TrimRight(string(f[name]), "\n")
	if s == "" {
		return []string{}
	}
	return strings.Split(s, "\n")
}
func (f files) Glob(pattern string) files {
	out := files{}
	for k, v := range f {
		if ok, _ := path.Match(pattern, k); ok {
			out[k] = v
		}
	}
	return out
}

type apiVersions []string

func (a apiVersions) Has(v string) bool {
	for _, x := range a {
		if x == v {
			return true
		}
	}
	return false
}

// The group/versions a 1.32 API server serves (what `helm template` assumes without a cluster).
var defaultAPIVersions = []string{
	"v1", "admissionregistration.k8s.io/v1", "apiextensions.k8s.io/v1", "apiregistration.k8s.io/v1",
	"apps/v1", "authentication.k8s.io/v1", "authorization.k8s.io/v1", "autoscaling/v1", "autoscaling/v2",
	"batch/v1", "certificates.k8s.io/v1", "coordination.k8s.io/v1", "discovery.k8s.io/v1",
	"events.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1", "networking.k8s.io/v1", "node.k8s.io/v1",
	"policy/v1", "rbac.authorization.k8s.io/v1", "scheduling.k8s.io/v1", "storage.k8s.io/v1",
}

// chartMeta is Chart.yaml with Helm's field names (.Chart.Name, .Chart.AppVersion, …).
func chartMeta(chartDir string) (map[string]interface{}, error) {
	data, err := os.ReadFile(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		return nil, err
	}
	raw, err := readYAMLMap(data)
	if err != nil {
		return nil, fmt.Errorf("Chart.yaml: %v", err)
	}
	meta := map[string]interface{}{}
	for k, v := range raw {
		meta[strings.ToUpper(k[:1])+k[1:]] = v
	}
	if meta["Name"] == nil || meta["Version"] == nil {
		return nil, errors.New("Chart.yaml: name and version are required")
	}
	return meta, nil
}

// ---- rendering ----------------------------------------------------------------------------

func toYAML(v interface{}) string {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

func funcMap(t *template.Template, includeDepth map[string]int) template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	f["toYaml"] = toYAML
	f["mustToYaml"] = func(v interface{}) (string, error) {
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		err := enc.Encode(v)
		return strings.TrimSuffix(buf.String(), "\n"), err
	}
	f["fromYaml"] = func(s string) map[string]interface{} {
		m, err := readYAMLMap([]byte(s))
		if err != nil {
			return map[string]interface{}{"Error": err.Error()}
		}
		return m
	}
	f["fromYamlArray"] = func(s string) []interface{} {
		var v []interface{}
		if err := yaml.Unmarshal([]byte(s), &v); err != nil {
			return []interface{}{err.Error()}
		}
		return normalize(v).([]interface{})
	}
	f["toJson"] = func(v interface{}) string {
		b, err := json.Marshal(v)
		if err != nil {
			return ""
		}
		return string(b)
	}
	f["fromJson"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	f["fromJsonArray"] = func(s string) []interface{} {
		var v []interface{}
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return []interface{}{err.Error()}
		}
		return v
	}
	f["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return v, errors.New(msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return v, errors.New(msg)
		}
		return v, nil
	}
	f["lookup"] = func(string, string, string, string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	f["include"] = func(name string, data interface{}) (string, error) {
		// Helm's guard against a template including itself forever.
		if includeDepth[name] > 1000 {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		includeDepth[name]++
		defer func() { includeDepth[name]-- }()
		var buf strings.Builder
		err := t.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	f["tpl"] = func(text string, data interface{}) (string, error) {
		c, err := t.Clone()
		if err != nil {
			return "", err
		}
		c.Funcs(funcMap(c, includeDepth))
		if _, err := c.New("tpl").Parse(text); err != nil {
			return "", fmt.Errorf("cannot parse template %q: %v", text, err)
		}
		var buf strings.Builder
		if err := c.ExecuteTemplate(&buf, "tpl", data); err != nil {
			return "", err
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	return f
}

func render(chartDir string, o options) (string, error) {
	meta, err := chartMeta(chartDir)
	if err != nil {
		return "", err
	}
	vals, err := values(chartDir, o)
	if err != nil {
		return "", err
	}
	chartName := fmt.Sprint(meta["Name"])
	all := files{}
	var templates []string
	err = filepath.Walk(chartDir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(chartDir, p)
		rel = filepath.ToSlash(rel)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.HasPrefix(rel, "templates/") {
			templates = append(templates, rel)
		} else if rel != "Chart.yaml" && rel != "values.yaml" && rel != "values.schema.json" {
			all[rel] = data
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	sort.Strings(templates)

	major, minor := "1", "32"
	if parts := strings.SplitN(strings.TrimPrefix(o.kubeVersion, "v"), ".", 3); len(parts) >= 2 {
		major, minor = parts[0], parts[1]
	}
	top := map[string]interface{}{
		"Values": vals,
		"Release": map[string]interface{}{
			"Name": o.name, "Namespace": o.namespace, "Service": "Helm", "Revision": 1,
			"IsInstall": !o.upgrade, "IsUpgrade": o.upgrade,
		},
		"Chart": meta,
		"Capabilities": map[string]interface{}{
			"KubeVersion": map[string]interface{}{
				"Version": o.kubeVersion, "GitVersion": o.kubeVersion, "Major": major, "Minor": minor,
			},
			"APIVersions": apiVersions(append(append([]string{}, defaultAPIVersions...), o.apiVersions...)),
			"HelmVersion": map[string]interface{}{"Version": "v3.16.0"},
		},
		"Files": all,
	}

	t := template.New("gotpl").Option("missingkey=zero")
	t.Funcs(funcMap(t, map[string]int{}))
	for _, rel := range templates {
		data, err := os.ReadFile(filepath.Join(chartDir, rel))
		if err != nil {
			return "", err
		}
		if _, err := t.New(chartName + "/" + rel).Parse(string(data)); err != nil {
			return "", err
		}
	}

	var out strings.Builder
	for _, rel := range templates {
		base := path.Base(rel)
		isNotes := base == "NOTES.txt"
		if strings.HasPrefix(base, "_") || isNotes != o.notes || (!isNotes && !strings.HasSuffix(base, ".yaml") && !strings.HasSuffix(base, ".yml") && !strings.HasSuffix(base, ".tpl")) {
			continue
		}
		if strings.HasSuffix(base, ".tpl") {
			continue
		}
		name := chartName + "/" + rel
		scope := map[string]interface{}{}
		for k, v := range top {
			scope[k] = v
		}
		scope["Template"] = map[string]interface{}{"Name": name, "BasePath": chartName + "/templates"}
		var buf strings.Builder
		if err := t.ExecuteTemplate(&buf, name, scope); err != nil {
			return "", err
		}
		text := strings.ReplaceAll(buf.String(), "<no value>", "")
		if isNotes {
			out.WriteString(text)
			continue
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", name, strings.TrimRight(text, "\n"))
	}
	return out.String(), nil
}
