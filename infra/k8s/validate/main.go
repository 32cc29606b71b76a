// Command uplift-k8s-validate renders the project's kustomize overlays and checks every manifest offline.
//
// Each document is decoded strictly into the Kubernetes API's own Go types (k8s.io/api), with the API server's
// strict decoder: an unknown or duplicated field, a value of the wrong type, an unparsable quantity or a kind the
// tool has no type for is an error. Then the project's rules are checked across the rendered set (see rules.go):
// resources, probes, security context, and that every selector and reference names something that exists.
//
// Usage:
//
//	uplift-k8s-validate [-out DIR] [-reference FILE]... [-files] PATH...
//
// Without -files each PATH is a kustomization directory, rendered with the kustomize library; with -files each PATH
// is a plain YAML file. -reference adds manifests that are deployed separately (the Secret template): they are
// validated and may be referred to, but are not part of any rendered set. -out writes each rendered set to
// DIR/<directory name>.yaml. The exit status is 1 when anything is wrong, each problem on its own line.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	sigsyaml "sigs.k8s.io/yaml"
)

type referenceFiles []string

func (r *referenceFiles) String() string     { return strings.Join(*r, ",") }
func (r *referenceFiles) Set(v string) error { *r = append(*r, v); return nil }

// manifest is one decoded document and where it came from, for messages.
type manifest struct {
	source string
	object runtime.Object
	kind   string
	name   string
}

func newScheme() *runtime.Scheme {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, batchv1.AddToScheme, policyv1.AddToScheme,
		networkingv1.AddToScheme, autoscalingv2.AddToScheme, rbacv1.AddToScheme,
	} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	return scheme
}

// decodeAll splits a YAML stream and decodes each document strictly; problems are returned, not fatal.
func decodeAll(source string, data []byte, scheme *runtime.Scheme) ([]manifest, []string) {
	serializer := kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, scheme, scheme,
		kjson.SerializerOptions{Yaml: true, Strict: true})
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var manifests []manifest
	var problems []string
	for index := 0; ; index++ {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: document %d: %v", source, index+1, err))
			break
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		object, gvk, err := serializer.Decode(doc, nil, nil)
		where := fmt.Sprintf("%s: document %d", source, index+1)
		if gvk != nil && gvk.Kind != "" {
			where = fmt.Sprintf("%s: %s/%s", source, gvk.Kind, nameOf(doc))
		}
		if err != nil {
			if runtime.IsNotRegisteredError(err) {
				problems = append(problems, fmt.Sprintf("%s: no schema for this kind (%v)", where, err))
				continue
			}
			problems = append(problems, fmt.Sprintf("%s: %v", where, err))
			// A strict decoding error (unknown or duplicate field) still yields the object: check the rest of it.
			if !runtime.IsStrictDecodingError(err) || object == nil {
				continue
			}
		}
		accessor, ok := object.(interface{ GetName() string })
		name := ""
		if ok {
			name = accessor.GetName()
		}
		manifests = append(manifests, manifest{source: source, object: object, kind: gvk.Kind, name: name})
	}
	return manifests, problems
}

// nameOf reads metadata.name loosely, to name a document the strict decoder refused.
func nameOf(doc []byte) string {
	var header struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	_ = sigsyaml.Unmarshal(doc, &header)
	return header.Metadata.Name
}

func stripComments(doc []byte) []byte {
	var out bytes.Buffer
	for _, line := range bytes.Split(doc, []byte("\n")) {
		trimmed := bytes.TrimSpace(line)
		if len(trimmed) == 0 || trimmed[0] == '#' || string(trimmed) == "---" {
			continue
		}
		out.Write(line)
		out.WriteByte('\n')
	}
	return out.Bytes()
}

func render(dir string) ([]byte, error) {
	kustomizer := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resources, err := kustomizer.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, err
	}
	return resources.AsYaml()
}

func main() {
	outDir := flag.String("out", "", "write each rendered kustomization to DIR/<name>.yaml")
	plainFiles := flag.Bool("files", false, "the paths are plain YAML files, not kustomization directories")
	var references referenceFiles
	flag.Var(&references, "reference", "a manifest deployed separately that the sets may refer to (repeatable)")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: uplift-k8s-validate [-out DIR] [-reference FILE]... [-files] PATH...")
		os.Exit(2)
	}
	scheme := newScheme()
	var problems []string

	var referenced []manifest
	for _, file := range references {
		data, err := os.ReadFile(file)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", file, err))
			continue
		}
		decoded, decodeProblems := decodeAll(file, data, scheme)
		problems = append(problems, decodeProblems...)
		problems = append(problems, checkObjects(decoded)...)
		referenced = append(referenced, decoded...)
	}

	documents := 0
	for _, path := range flag.Args() {
		var data []byte
		var err error
		if *plainFiles {
			data, err = os.ReadFile(path)
		} else {
			data, err = render(path)
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", path, err))
			continue
		}
		if *outDir != "" && !*plainFiles {
			if err := os.MkdirAll(*outDir, 0o755); err == nil {
				err = os.WriteFile(filepath.Join(*outDir, filepath.Base(filepath.Clean(path))+".yaml"), data, 0o644)
			}
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: writing the rendered set: %v", path, err))
			}
		}
		decoded, decodeProblems := decodeAll(path, data, scheme)
		documents += len(decoded)
		problems = append(problems, decodeProblems...)
		problems = append(problems, checkObjects(decoded)...)
		problems = append(problems, checkReferences(decoded, referenced)...)
	}

	for _, problem := range problems {
		fmt.Println(problem)
	}
	if len(problems) > 0 {
		fmt.Printf("%d problem(s)\n", len(problems))
		os.Exit(1)
	}
	fmt.Printf("ok: %d path(s), %d document(s), %d reference document(s)\n", flag.NArg(), documents, len(referenced))
}
