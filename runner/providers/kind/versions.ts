/**
 * @module
 * Every version the kind provider installs, pinned here and nowhere else, each with the
 * source it was taken from (../shared/research/kind-cni.md, sections and reference tags).
 * Bump them together: kind supports a node image only with the release it shipped with.
 */

/** kind v0.33.0, the newest release found (research §1.1, [K10][K11]). `flatnet doctor` reports the installed one. */
export const KIND_VERSION = 'v0.33.0';

/**
 * The node image kind v0.33.0 defaults to, by digest — kind: "You *must* use the @sha256 digest to
 * guarantee an image built for this release" (research §1.1, [K10]). Kubernetes 1.37.0.
 */
export const NODE_IMAGE = 'kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5';

/**
 * Calico v3.32.4, the newest patch of the 3.32 line (GitHub releases, 11 Nov 2026, [C9]). The
 * research read the 3.32 kind page in full and warns that 3.33 changes the CRD file (research
 * §2.1), so the 3.32 operator install (research §2.2, [C1][C2]) is what is pinned.
 */
export const CALICO_VERSION = 'v3.32.4';
const calicoManifests = `https://raw.githubusercontent.com/projectcalico/calico/${CALICO_VERSION}/manifests`;
export const CALICO = {
  version: CALICO_VERSION,
  /** The CRD bundle (~3 MB, 32 CRDs incl. operator.tigera.io): `kubectl create`, never apply (research §2.2). */
  crds: `${calicoManifests}/v1_crd_projectcalico_org.yaml`,
  /** Namespace, RBAC and the tigera-operator Deployment. */
  operator: `${calicoManifests}/tigera-operator.yaml`,
} as const;

/**
 * Cilium 1.20.2 from its OCI Helm chart (research §3.1, [L8][L10]): the chart version has no `v`,
 * the agent image is pinned by digest.
 */
export const CILIUM_VERSION = '1.20.2';
export const CILIUM = {
  version: CILIUM_VERSION,
  chart: 'oci://quay.io/cilium/charts/cilium',
  image: `quay.io/cilium/cilium:v${CILIUM_VERSION}@sha256:2939231d0d3e3ebddcd80fffa168b7ddcc78fdf0dc864d1c8c126ff523c54f01`,
} as const;

/** kubectl >= 1.31.1 has `wait --for=create` (research §2.4, [K16]); older ones still work here (we poll). */
export const MIN_KUBECTL = 'v1.30.0';
