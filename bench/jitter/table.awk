# Turns the jitter driver's lines into the markdown table, a verdict line per
# goal of issue 17 and the "goal-met:" line (bench/jitter/run.sh). Input lines
# (bench/jitter/jitter_driver.cpp), spreads in µs:
#   cell TARGET N MODE TRIALS FAILED MEDIAN LO HI P95 HITS10 HITS100 HITS1000 CONNECTIONS PROTOCOL
#   unavailable MODE REASON
#   note TEXT
#   param NAME VALUE      (delay_ms: the proxy's delay bound)
function wilson(k, n,   p, z2, den, mid, half) {
  if (n == 0) { wlo = 0; whi = 1; return }
  p = k / n; z2 = 1.96 * 1.96; den = 1 + z2 / n
  mid = (p + z2 / (2 * n)) / den
  half = 1.96 * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / den
  wlo = mid - half; whi = mid + half
  if (wlo < 0) wlo = 0
  if (whi > 1) whi = 1
}
function prob(k, n) { wilson(k, n); return sprintf("%.2f [%.2f, %.2f]", (n ? k / n : 0), wlo, whi) }
function key(t, n, m) { return t SUBSEP n SUBSEP m }
$1 == "unavailable" { reason = $0; sub(/^unavailable [^ ]+ /, "", reason); unavailable[$2] = reason; next }
$1 == "param" { param[$2] = $3; next }
$1 == "note" { sub(/^note /, ""); notes[++note_count] = $0; next }
$1 == "cell" {
  t = $2; n = $3; m = $4; k = key(t, n, m)
  rows[++row_count] = k
  if (!(n in size_seen)) { size_seen[n] = 1; sizes[++size_count] = n }
  trials[k] = $5; failed[k] = $6; good = $5 - $6; ok[k] = good
  med[k] = $7; mlo[k] = $8; mhi[k] = $9; p95[k] = $10
  hits[k, 1] = $11; hits[k, 2] = $12; hits[k, 3] = $13
  conns[k] = $14; proto[k] = $15
}
END {
  print "| where | N | mode | trials | spread µs, median [95% CI] | spread µs, p95 | P(expose 10 µs) [95% CI] | P(expose 100 µs) | P(expose 1 ms) | connections | protocol |"
  print "|---|---|---|---|---|---|---|---|---|---|---|"
  for (i = 1; i <= row_count; i++) {
    k = rows[i]; split(k, part, SUBSEP)
    where = part[1] == "proxy" ? "behind jitter" : "loopback"
    tr = ok[k] (failed[k] > 0 ? " (" failed[k] " failed)" : "")
    spread = ok[k] ? sprintf("%.1f [%.1f, %.1f]", med[k], mlo[k], mhi[k]) : "no measurement"
    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", where, part[2], part[3], tr, spread,
           (ok[k] ? sprintf("%.1f", p95[k]) : "-"), prob(hits[k, 1], ok[k]), prob(hits[k, 2], ok[k]),
           prob(hits[k, 3], ok[k]), conns[k], proto[k]
  }
  print ""
  print "Method: one trial = one `racecheck exec` process of N clients sending one POST each (fresh connections, so fresh proxy delays), against a recorder in the driver that notes (CLOCK_MONOTONIC) the read that brought each request's last byte: HTTP/1.1 by Content-Length, HTTP/2 the frame with END_STREAM (h2c, nghttp2). The modes alternate trial by trial. behind jitter = through racecheck-jitter-proxy, which delays each TCP connection by its own uniform 0-" param["delay_ms"] " ms in both directions; loopback = straight to the recorder. plain = no hold (release staggered, stagger 0); last-byte = HTTP/1.1, last bytes held and released together; single-packet = HTTP/2 (`--http2 --release single-packet`), every final frame in one write. spread = last minus first arrival of a burst. A trial exposes a race window w when its two earliest arrivals are at most w apart: a read-check-write window of w opened by the first request is still open when the second arrives. Intervals: the median's distribution-free 95% interval (order statistics), 95% Wilson intervals for the probabilities; connections = median distinct connections per burst."
  print ""
  print "Goals judged: spread, single-packet median ≤ 1/3 of last-byte's at every N (behind jitter); detection, at no window and N is single-packet's Wilson interval wholly below last-byte's, and at 10 µs and 100 µs it is wholly above at every N (behind jitter); loopback, single-packet's median spread is at most the top of last-byte's interval and its detection never wholly below."
  for (m in unavailable) { print ""; print "Not available: " m " (" unavailable[m] ")" }
  for (i = 1; i <= note_count; i++) { print ""; print "Note: " notes[i] }
  print ""
  if ("single-packet" in unavailable) {
    why = "single-packet not available in this racecheck binary (" unavailable["single-packet"] ")"
    print "verdict: spread behind jitter (single-packet <= 1/3 of last-byte at every N): not evaluated — " why
    print "verdict: detection behind jitter (single-packet >= last-byte everywhere, clearly higher at 10 and 100 µs): not evaluated — " why
    print "verdict: loopback (single-packet not worse than last-byte): not evaluated — " why
    print "goal-met: no — " why
    exit
  }
  # Goal 1: behind jitter, median spread of single-packet <= 1/3 of last-byte's at every N.
  spread_ok = 1; spread_why = ""
  # Goal 2: detection never significantly lower (Wilson intervals disjoint, single-packet below)
  # at any window, and significantly higher (disjoint, above) at 10 µs and 100 µs, at every N.
  detect_ok = 1; detect_why = ""
  # Goal 3: on loopback, median spread within last-byte's 95% interval or below, detection
  # never significantly lower.
  loop_ok = 1; loop_why = ""
  for (s = 1; s <= size_count; s++) {
    n = sizes[s]
    sp = key("proxy", n, "single-packet"); lb = key("proxy", n, "last-byte")
    if ((sp in proto) && proto[sp] != "h2") {
      spread_ok = detect_ok = 0; spread_why = spread_why " N=" n " single-packet arrived as " proto[sp] ", not h2;"
    }
    if ((sp in ok) && (lb in ok) && ok[sp] > 0 && ok[lb] > 0) {
      ratio = med[lb] > 0 ? med[sp] / med[lb] : (med[sp] > 0 ? 99 : 0)
      spread_why = spread_why sprintf(" N=%s %.2f×;", n, ratio)
      if (med[sp] * 3 > med[lb]) spread_ok = 0
      for (w = 1; w <= 3; w++) {
        wilson(hits[sp, w], ok[sp]); slo = wlo; shi = whi
        wilson(hits[lb, w], ok[lb]); llo = wlo; lhi = whi
        if (shi < llo) { detect_ok = 0; detect_why = detect_why " lower at N=" n " w" w ";" }
        if (w <= 2 && !(slo > lhi)) { detect_ok = 0; detect_why = detect_why " not clearly higher at N=" n " window " (w == 1 ? "10 µs" : "100 µs") ";" }
      }
    } else if ((key("proxy", n, "last-byte") in ok) || (key("proxy", n, "single-packet") in ok)) {
      spread_ok = 0; detect_ok = 0; spread_why = spread_why " N=" n " unmeasured;"; detect_why = detect_why " N=" n " unmeasured;"
    }
    sp = key("direct", n, "single-packet"); lb = key("direct", n, "last-byte")
    if ((sp in proto) && proto[sp] != "h2") { loop_ok = 0; loop_why = loop_why " N=" n " single-packet arrived as " proto[sp] ";" }
    if ((sp in ok) && (lb in ok) && ok[sp] > 0 && ok[lb] > 0) {
      if (med[sp] > mhi[lb]) { loop_ok = 0; loop_why = loop_why sprintf(" N=%s spread %.1f > %.1f µs;", n, med[sp], mhi[lb]) }
      for (w = 1; w <= 3; w++) {
        wilson(hits[sp, w], ok[sp]); shi = whi
        wilson(hits[lb, w], ok[lb]); llo = wlo
        if (shi < llo) { loop_ok = 0; loop_why = loop_why " detection lower at N=" n " w" w ";" }
      }
    } else if ((lb in ok) || (sp in ok)) {
      loop_ok = 0; loop_why = loop_why " N=" n " unmeasured;"
    }
  }
  if (spread_why == "") { spread_ok = 0; spread_why = " no cells behind the proxy were measured;" }
  print "verdict: spread behind jitter (single-packet <= 1/3 of last-byte at every N): " (spread_ok ? "yes" : "no") " — single-packet/last-byte median spread:" spread_why
  print "verdict: detection behind jitter (single-packet >= last-byte everywhere, clearly higher at 10 and 100 µs): " (detect_ok ? "yes" : "no") (detect_why == "" ? " — Wilson intervals disjoint above at 10 and 100 µs at every N, never disjoint below" : " —" detect_why)
  print "verdict: loopback (single-packet not worse than last-byte): " (loop_ok ? "yes" : "no") (loop_why == "" ? " — median spread within or below last-byte's interval, detection never significantly lower" : " —" loop_why)
  met = spread_ok && detect_ok && loop_ok
  printf "goal-met: %s — spread %s, detection %s, loopback %s\n", (met ? "yes" : "no"), (spread_ok ? "met" : "not met"),
         (detect_ok ? "met" : "not met"), (loop_ok ? "met" : "not met")
}