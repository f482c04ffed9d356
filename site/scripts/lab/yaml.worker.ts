// monaco-yaml's language worker, re-exported from our own file so Vite bundles it as a worker
// (importing the package's file directly with ?worker fails in Vite: monaco-yaml's FAQ).
import 'monaco-yaml/yaml.worker.js';
