#!/usr/bin/env node
// Entry point for `npx flatnet`. It runs TypeScript sources directly with Node's
// type stripping (Node >= 22.18), so there is no build step between a checkout and the CLI.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `flatnet: Node ${process.versions.node} found; flatnet needs Node >= 22.18 — ` +
      'run it through npm (`npx flatnet`, `npm start`), which uses the Node 22 that `npm install` put in node_modules/.bin',
  );
  process.exit(2);
}
const { main } = await import('../runner/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
