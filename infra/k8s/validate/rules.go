package main

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The project's rules for one object: what the API server would accept but the project does not want shipped.
func checkObjects(manifests []manifest) []string {
	var problems []string
	for _, m := range manifests {
		where := fmt.Sprintf("%s: %s/%s", m.source, m.kind, m.name)
		if m.name == "" {
			problems = append(problems, where+": metadata.name is empty")
		}
		switch o := m.object.(type) {
		case *appsv1.Deployment:
			problems = append(problems, checkDeployment(where, o)...)
		case *batchv1.Job:
			if o.Spec.BackoffLimit == nil {
				problems = append(problems, where+": spec.backoffLimit must be set (a failing migration must not retry for ever)")
			}
			problems = append(problems, checkPod(where, &o.Spec.Template.Spec, false)...)
		case *autoscalingv2.HorizontalPodAutoscaler:
			if o.Spec.MinReplicas != nil && *o.Spec.MinReplicas > o.Spec.MaxReplicas {
				problems = append(problems, where+": minReplicas is above maxReplicas")
			}
		case *policyv1.PodDisruptionBudget:
			if o.Spec.Selector == nil || len(o.Spec.Selector.MatchLabels)+len(o.Spec.Selector.MatchExpressions) == 0 {
				problems = append(problems, where+": an empty selector would cover every pod of the namespace")
			}
		}
	}
	return problems
}

func checkDeployment(where string, d *appsv1.Deployment) []string {
	var problems []string
	if d.Spec.Selector == nil {
		problems = append(problems, where+": spec.selector is required")
	} else if selector, err := metav1.LabelSelectorAsSelector(d.Spec.Selector); err != nil {
		problems = append(problems, fmt.Sprintf("%s: spec.selector: %v", where, err))
	} else if !selector.Matches(labels.Set(d.Spec.Template.Labels)) {
		problems = append(problems, where+": spec.selector does not match the pod template's labels")
	}
	if d.Spec.Template.Spec.TerminationGracePeriodSeconds == nil {
		problems = append(problems, where+": terminationGracePeriodSeconds must be set to what the process needs to drain")
	}
	problems = append(problems, checkPod(where, &d.Spec.Template.Spec, true)...)
	return problems
}

func checkPod(where string, pod *corev1.PodSpec, longRunning bool) []string {
	var problems []string
	podNonRoot := pod.SecurityContext != nil && pod.SecurityContext.RunAsNonRoot != nil && *pod.SecurityContext.RunAsNonRoot
	if pod.SecurityContext == nil || !confinedSeccomp(pod.SecurityContext.SeccompProfile) {
		problems = append(problems, where+": securityContext.seccompProfile must be RuntimeDefault or Localhost (the namespace enforces the restricted Pod Security Standard)")
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		problems = append(problems, where+": automountServiceAccountToken must be false (the app never calls the Kubernetes API)")
	}
	if len(pod.Containers) == 0 {
		problems = append(problems, where+": no containers")
	}
	all := append(append([]corev1.Container{}, pod.InitContainers...), pod.Containers...)
	for _, c := range all {
		at := fmt.Sprintf("%s: container %q", where, c.Name)
		problems = append(problems, checkContainer(at, c, podNonRoot)...)
	}
	if longRunning {
		for _, c := range pod.Containers {
			at := fmt.Sprintf("%s: container %q", where, c.Name)
			if c.ReadinessProbe == nil || c.LivenessProbe == nil {
				problems = append(problems, at+": needs a readiness and a liveness probe")
			}
			for kind, probe := range map[string]*corev1.Probe{"readiness": c.ReadinessProbe, "liveness": c.LivenessProbe, "startup": c.StartupProbe} {
				if probe != nil && !probePortExists(probe, c.Ports) {
					problems = append(problems, fmt.Sprintf("%s: the %s probe's port is not one of the container's ports", at, kind))
				}
			}
			if pause := preStopSeconds(c); pause > 0 && pod.TerminationGracePeriodSeconds != nil && pause >= *pod.TerminationGracePeriodSeconds {
				problems = append(problems, fmt.Sprintf("%s: the preStop pause (%d s) leaves no time to drain within the grace period (%d s)", at, pause, *pod.TerminationGracePeriodSeconds))
			}
		}
	}
	return problems
}

func checkContainer(at string, c corev1.Container, podNonRoot bool) []string {
	var problems []string
	image := c.Image
	if image == "" {
		problems = append(problems, at+": image is empty")
	} else if last := image[strings.LastIndex(image, "/")+1:]; !strings.Contains(last, "@") && (!strings.Contains(last, ":") || strings.HasSuffix(last, ":latest")) {
		problems = append(problems, fmt.Sprintf("%s: image %q must name a version (a tag other than latest, or a digest)", at, image))
	}
	requests, limits := c.Resources.Requests, c.Resources.Limits
	if _, ok := requests[corev1.ResourceCPU]; !ok {
		problems = append(problems, at+": resources.requests.cpu is required")
	}
	if _, ok := requests[corev1.ResourceMemory]; !ok {
		problems = append(problems, at+": resources.requests.memory is required")
	}
	if limit, ok := limits[corev1.ResourceMemory]; !ok {
		problems = append(problems, at+": resources.limits.memory is required")
	} else if request, ok := requests[corev1.ResourceMemory]; ok && limit.Cmp(request) < 0 {
		problems = append(problems, at+": resources.limits.memory is below its request")
	}
	sc := c.SecurityContext
	if sc == nil {
		return append(problems, at+": securityContext is required")
	}
	if !podNonRoot && (sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot) {
		problems = append(problems, at+": must run as non-root (runAsNonRoot: true)")
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		problems = append(problems, at+": allowPrivilegeEscalation must be false")
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		problems = append(problems, at+": readOnlyRootFilesystem must be true (write to mounted volumes)")
	}
	dropsAll := false
	if sc.Capabilities != nil {
		for _, capability := range sc.Capabilities.Drop {
			dropsAll = dropsAll || capability == "ALL"
		}
	}
	if !dropsAll {
		problems = append(problems, at+": capabilities must drop ALL")
	}
	return problems
}

func confinedSeccomp(profile *corev1.SeccompProfile) bool {
	return profile != nil && (profile.Type == corev1.SeccompProfileTypeRuntimeDefault || profile.Type == corev1.SeccompProfileTypeLocalhost)
}

func probePortExists(probe *corev1.Probe, ports []corev1.ContainerPort) bool {
	var port intstr.IntOrString
	switch {
	case probe.HTTPGet != nil:
		port = probe.HTTPGet.Port
	case probe.TCPSocket != nil:
		port = probe.TCPSocket.Port
	case probe.GRPC != nil:
		port = intstr.FromInt32(probe.GRPC.Port)
	default:
		return true
	}
	return portNamed(port, ports)
}

func portNamed(port intstr.IntOrString, ports []corev1.ContainerPort) bool {
	for _, p := range ports {
		if (port.Type == intstr.String && p.Name == port.StrVal) || (port.Type == intstr.Int && p.ContainerPort == port.IntVal) {
			return true
		}
	}
	return false
}

// preStopSeconds is the pause a preStop hook makes: the sleep action, or `sleep N` run by exec.
func preStopSeconds(c corev1.Container) int64 {
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil {
		return 0
	}
	if sleep := c.Lifecycle.PreStop.Sleep; sleep != nil {
		return sleep.Seconds
	}
	if exec := c.Lifecycle.PreStop.Exec; exec != nil {
		for i, arg := range exec.Command {
			if strings.HasSuffix(arg, "sleep") && i+1 < len(exec.Command) {
				var seconds int64
				if _, err := fmt.Sscanf(exec.Command[i+1], "%d", &seconds); err == nil {
					return seconds
				}
			}
		}
	}
	return 0
}

// workload is a pod template that selectors and references may point at.
type workload struct {
	namespace, name string
	labels          map[string]string
	pod             *corev1.PodSpec
}

// Every selector and reference of the set must name something in it (or in the separately deployed references).
func checkReferences(set, referenced []manifest) []string {
	var problems []string
	var workloads []workload
	deployments := map[string]bool{}
	configMaps, secrets, serviceAccounts := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, m := range append(append([]manifest{}, set...), referenced...) {
		switch o := m.object.(type) {
		case *appsv1.Deployment:
			deployments[o.Namespace+"/"+o.Name] = true
			workloads = append(workloads, workload{o.Namespace, o.Name, o.Spec.Template.Labels, &o.Spec.Template.Spec})
		case *batchv1.Job:
			workloads = append(workloads, workload{o.Namespace, o.Name, o.Spec.Template.Labels, &o.Spec.Template.Spec})
		case *corev1.ConfigMap:
			configMaps[o.Namespace+"/"+o.Name] = true
		case *corev1.Secret:
			secrets[o.Namespace+"/"+o.Name] = true
		case *corev1.ServiceAccount:
			serviceAccounts[o.Namespace+"/"+o.Name] = true
		}
	}
	matching := func(namespace string, selector labels.Selector) []workload {
		var found []workload
		for _, w := range workloads {
			if w.namespace == namespace && selector.Matches(labels.Set(w.labels)) {
				found = append(found, w)
			}
		}
		return found
	}
	for _, m := range set {
		where := fmt.Sprintf("%s: %s/%s", m.source, m.kind, m.name)
		switch o := m.object.(type) {
		case *corev1.Service:
			if len(o.Spec.Selector) == 0 {
				continue
			}
			targets := matching(o.Namespace, labels.SelectorFromSet(o.Spec.Selector))
			if len(targets) == 0 {
				problems = append(problems, where+": its selector matches no pod template")
			}
			for _, port := range o.Spec.Ports {
				target := port.TargetPort
				if target.Type == intstr.Int && target.IntVal == 0 {
					target = intstr.FromInt32(port.Port)
				}
				for _, w := range targets {
					if !podHasPort(w.pod, target) {
						problems = append(problems, fmt.Sprintf("%s: port %q targets %s, which %s does not expose", where, port.Name, target.String(), w.name))
					}
				}
			}
		case *policyv1.PodDisruptionBudget:
			problems = append(problems, selectorProblems(where, o.Namespace, o.Spec.Selector, matching)...)
		case *networkingv1.NetworkPolicy:
			if len(o.Spec.PodSelector.MatchLabels)+len(o.Spec.PodSelector.MatchExpressions) > 0 {
				problems = append(problems, selectorProblems(where, o.Namespace, &o.Spec.PodSelector, matching)...)
			}
		case *autoscalingv2.HorizontalPodAutoscaler:
			if o.Spec.ScaleTargetRef.Kind != "Deployment" || !deployments[o.Namespace+"/"+o.Spec.ScaleTargetRef.Name] {
				problems = append(problems, fmt.Sprintf("%s: scales %s/%s, which is not in the set", where, o.Spec.ScaleTargetRef.Kind, o.Spec.ScaleTargetRef.Name))
			}
		}
	}
	for _, w := range workloads {
		if !inSet(set, w.namespace, w.name) {
			continue
		}
		where := fmt.Sprintf("workload %s/%s", w.namespace, w.name)
		if name := w.pod.ServiceAccountName; name != "" && name != "default" && !serviceAccounts[w.namespace+"/"+name] {
			problems = append(problems, fmt.Sprintf("%s: service account %q does not exist", where, name))
		}
		for _, ref := range podReferences(w.pod) {
			known := configMaps
			if ref.secret {
				known = secrets
			}
			if !ref.optional && !known[w.namespace+"/"+ref.name] {
				kind := "ConfigMap"
				if ref.secret {
					kind = "Secret"
				}
				problems = append(problems, fmt.Sprintf("%s: %s %q (%s) does not exist", where, kind, ref.name, ref.from))
			}
		}
	}
	return problems
}

func inSet(set []manifest, namespace, name string) bool {
	for _, m := range set {
		if accessor, ok := m.object.(metav1.Object); ok && accessor.GetNamespace() == namespace && accessor.GetName() == name {
			return true
		}
	}
	return false
}

func selectorProblems(where, namespace string, selector *metav1.LabelSelector, matching func(string, labels.Selector) []workload) []string {
	if selector == nil {
		return []string{where + ": no selector"}
	}
	parsed, err := metav1.LabelSelectorAsSelector(selector)
	if err != nil {
		return []string{fmt.Sprintf("%s: selector: %v", where, err)}
	}
	if len(matching(namespace, parsed)) == 0 {
		return []string{where + ": its selector matches no pod template"}
	}
	return nil
}

func podHasPort(pod *corev1.PodSpec, port intstr.IntOrString) bool {
	for _, c := range pod.Containers {
		if portNamed(port, c.Ports) {
			return true
		}
	}
	return false
}

type reference struct {
	name, from       string
	secret, optional bool
}

func podReferences(pod *corev1.PodSpec) []reference {
	var refs []reference
	isOptional := func(optional *bool) bool { return optional != nil && *optional }
	for _, c := range append(append([]corev1.Container{}, pod.InitContainers...), pod.Containers...) {
		for _, from := range c.EnvFrom {
			if from.ConfigMapRef != nil {
				refs = append(refs, reference{from.ConfigMapRef.Name, "envFrom of " + c.Name, false, isOptional(from.ConfigMapRef.Optional)})
			}
			if from.SecretRef != nil {
				refs = append(refs, reference{from.SecretRef.Name, "envFrom of " + c.Name, true, isOptional(from.SecretRef.Optional)})
			}
		}
		for _, env := range c.Env {
			if env.ValueFrom == nil {
				continue
			}
			if ref := env.ValueFrom.ConfigMapKeyRef; ref != nil {
				refs = append(refs, reference{ref.Name, env.Name + " of " + c.Name, false, isOptional(ref.Optional)})
			}
			if ref := env.ValueFrom.SecretKeyRef; ref != nil {
				refs = append(refs, reference{ref.Name, env.Name + " of " + c.Name, true, isOptional(ref.Optional)})
			}
		}
	}
	for _, volume := range pod.Volumes {
		if volume.ConfigMap != nil {
			refs = append(refs, reference{volume.ConfigMap.Name, "volume " + volume.Name, false, isOptional(volume.ConfigMap.Optional)})
		}
		if volume.Secret != nil {
			refs = append(refs, reference{volume.Secret.SecretName, "volume " + volume.Name, true, isOptional(volume.Secret.Optional)})
		}
	}
	return refs
}
