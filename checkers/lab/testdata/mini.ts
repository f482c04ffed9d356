/** A small valid lab used by the parser and grader tests: line numbers below are pinned by them. */
export const MINI_LAB = `apiVersion: flatnet/v1alpha1
kind: Lab
id: mini
title: Mini
chapter: "4.1"
minutes: 5
requires: { networkPolicy: true }
setup:
  namespaces: [{ name: shop }]
  pods:
    - { name: web, namespace: shop, image: nginx:alpine, labels: { app: web }, ports: [{ port: 80 }] }
    - { name: db, namespace: shop, image: postgres:16-alpine, labels: { app: db }, ports: [{ port: 5432 }] }
    - { name: other, namespace: shop, image: busybox, labels: { app: other } }
  services:
    - { name: web, namespace: shop, selector: { app: web }, ports: [{ port: 8080, targetPort: 80 }] }
tasks:
  - id: db-policy
    title: Protect db
    prompt: Only web may reach db on TCP 5432.
    starter:
      inline: |
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: { name: db, namespace: shop }
        spec: { podSelector: {} }
    checks:
      - { id: applies, kind: applied, title: applies, namespace: shop, hint: namespace }
      - id: web-to-db
        kind: reach
        title: web reaches db
        from: { namespace: shop, pod: web }
        to: { namespace: shop, labels: { app: db } }
        port: 5432
        expect: allowed
        hint: allow-web
      - { id: other-kept-out, kind: reach, title: other denied, from: { namespace: shop, pod: other }, to: { namespace: shop, pod: db }, port: 5432, expect: denied, hint: only-web }
    hints:
      - { id: namespace, text: Use namespace shop. }
      - { id: allow-web, text: Allow web. }
      - { id: only-web, text: Only web. }
    reference:
      inline: |
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: { name: db, namespace: shop }
        spec:
          podSelector: { matchLabels: { app: db } }
          ingress: [{ from: [{ podSelector: { matchLabels: { app: web } } }], ports: [{ port: 5432 }] }]
    wrong:
      - id: no-from
        why: every source gets in
        hint: only-web
        inline: |
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: { name: db, namespace: shop }
          spec:
            podSelector: { matchLabels: { app: db } }
            ingress: [{ ports: [{ port: 5432 }] }]
`;
