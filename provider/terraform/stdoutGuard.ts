// Terraform reads the go-plugin handshake from the provider's first stdout line, so console output from
// any module (ours or a dependency) must go to stderr. Imported first by the entry point.
for (const method of ["log", "info", "debug"] as const) {
  console[method] = (...args: unknown[]) => console.error(...args);
}
