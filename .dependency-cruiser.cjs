// The architecture as a check (`npm run lint`): no import cycle between files, and the folders of
// libs/ in layers that only import downwards. docs/architecture.md explains each layer.

/**
 * libs/ from the bottom up. A folder may import its own files and the layers listed before it,
 * never one listed after it; folders sharing a layer (an inner array) never import each other.
 */
const LAYERS = [
  ['libs/runtime'],
  ['libs/forwarding/decoding'],
  ['libs/forwarding/documents'],
  ['libs/forwarding/rules'],
  ['libs/forwarding/filters-and-masks'],
  ['libs/forwarding/multiline'],
  ['libs/forwarding/rules-file'],
  ['libs/forwarding/destinations'],
  ['libs/forwarding/pipeline'],
  ['libs/forwarding/sources'],
  ['libs/notifier/alarms'],
  ['libs/notifier/slack'],
  ['libs/splitter', 'libs/notifier', 'libs/exporter', 'libs/subscriber'],
];

/** A folder's own files; `libs/notifier` means the files at its top, not its sub-folders. */
const filesOf = (folder) => `^${folder}/[^/]+$`;
const anyOf = (folders) => `^(${folders.join('|')})/[^/]+$`;
const name = (folder) => folder.replace(/^libs\//, '').replace(/\//g, '-');

const layerRules = LAYERS.flatMap((layer, rank) => {
  const above = LAYERS.slice(rank + 1).flat();
  return layer.flatMap((folder) => {
    const peers = layer.filter((other) => other !== folder);
    return [
      ...(above.length === 0
        ? []
        : [
            {
              name: `${name(folder)}-imports-upwards`,
              comment: `${folder} may import only the layers below it (.dependency-cruiser.cjs LAYERS)`,
              severity: 'error',
              from: { path: filesOf(folder) },
              to: { path: anyOf(above) },
            },
          ]),
      ...(peers.length === 0
        ? []
        : [
            {
              name: `${name(folder)}-imports-a-peer`,
              comment: `${folder} and ${peers.join(', ')} serve different functions: share code through a layer below`,
              severity: 'error',
              from: { path: filesOf(folder) },
              to: { path: anyOf(peers) },
            },
          ]),
    ];
  });
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle: one of the files belongs lower down (docs/architecture.md)',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'libs-imports-outside-libs',
      comment: 'libs/ is what the functions bundle: it imports no tool, test, bench or handler',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^(tools|test|bench|functions)/' },
    },
    {
      name: 'tools-import-tests',
      comment: 'Command-line tools run without the tests: what both need lives in tools/ or libs/',
      severity: 'error',
      from: { path: '^tools/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'unknown-libs-folder',
      comment: 'Every folder of libs/ has a place in LAYERS (.dependency-cruiser.cjs)',
      severity: 'error',
      from: { path: '^(libs|functions|tools)/' },
      to: {
        path: '^libs/',
        pathNot: `^(${LAYERS.flat().join('|')})/[^/]+$`,
      },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|\\.cache|\\.serverless|\\.esbuild)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Type-only imports count: a cycle through types is still a cycle for the reader.
    detectJSDocImports: false,
  },
};
