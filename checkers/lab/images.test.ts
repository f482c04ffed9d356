import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { imageProfile, isSupportedImage } from './images.ts';

const cases: { image: string; want: boolean }[] = [
  { image: 'nginx:alpine', want: true },
  // Docker Hub's implied parts: `kubectl run --image=nginx` means docker.io/library/nginx:latest.
  { image: 'nginx', want: true },
  { image: 'docker.io/library/nginx:1.27', want: true },
  { image: 'busybox', want: true },
  { image: 'busybox:1.36', want: true },
  { image: 'radial/busyboxplus:curl', want: true },
  { image: 'radial/busyboxplus:latest', want: false },
  { image: 'curlimages/curl:8.10.1', want: true },
  { image: 'postgres:16-alpine', want: true },
  { image: 'registry.k8s.io/e2e-test-images/agnhost:2.52', want: true },
  { image: 'registry.k8s.io/coredns/coredns:v1.11.3', want: true },
  { image: 'docker.io/library/redis:7', want: false },
  { image: 'nginxXalpine', want: false },
];

describe('isSupportedImage', () => {
  for (const c of cases) it(`${c.image} → ${c.want}`, () => assert.equal(isSupportedImage(c.image), c.want));
});

describe('imageProfile', () => {
  it('tells what an image behaves like', () => {
    assert.equal(imageProfile('nginx:alpine'), 'nginx');
    assert.equal(imageProfile('radial/busyboxplus:curl'), 'tools');
    assert.equal(imageProfile('postgres:16'), 'postgres');
    assert.equal(imageProfile('registry.k8s.io/e2e-test-images/agnhost:2.52'), 'agnhost');
    assert.equal(imageProfile('redis:7'), undefined);
  });
});
