// Preloaded (node --require) into a process whose peak memory a benchmark reads: on exit it
// writes its peak RSS (getrusage, KiB on Linux) to stderr as `max-rss-kib <n>`.
process.on('exit', () => {
  process.stderr.write(`max-rss-kib ${process.resourceUsage().maxRSS}\n`);
});
