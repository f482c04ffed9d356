/**
 * @module
 * The lab's images, loaded into every node with `kind load docker-image` so pods start
 * without a registry (research §4.2): each is pulled into Docker first when Docker does not
 * have it (kind loads from the Docker engine, not from a registry). kind skips nodes that
 * already hold an image.
 */
import { kindErrors } from '../../../../checkers/errors.ts';
import { tail } from '../tools.ts';
import type { Action, KindContext } from './action.ts';

export async function loadImages(ctx: Pick<KindContext, 'runner' | 'cluster'>, images: readonly string[]): Promise<void> {
  if (images.length === 0) return;
  for (const image of images) {
    if ((await ctx.runner('docker', ['image', 'inspect', '--format', '{{.Id}}', image])).code === 0) continue;
    const pull = await ctx.runner('docker', ['pull', image], { timeoutMs: 10 * 60_000 });
    if (pull.code !== 0) throw kindErrors.toolFailed(`pulling ${image}`, `docker pull ${image}`, tail(pull.stderr), 'check the image name and that Docker reaches its registry (or `docker pull` it once by hand)');
  }
  const args = ['load', 'docker-image', ...images, '--name', ctx.cluster];
  const r = await ctx.runner('kind', args, { timeoutMs: 10 * 60_000 });
  if (r.code !== 0) throw kindErrors.toolFailed('loading images into the nodes', `kind ${args.join(' ')}`, tail(r.stderr), 'check `docker images` lists them; kind >= v0.32 is needed for the newest node images');
}

export const loadLabImages: Action = {
  stage: 'Loading images',
  run: (ctx) => loadImages(ctx, ctx.images),
};
