# timeline.awk: turns a trace CSV (TRACING.md) into the data files that
# timeline.gp draws, in directory `dir`:
#
#   busy.dat    worker  start_ms  end_ms  kind  task    one line per task run;
#               kind 0 and 1: ordinary (alternating, so that neighbours can
#               be told apart), 2: the task a steal handed to its thief
#   parked.dat  worker  from_ms  to_ms                  park .. unpark
#   steals.dat  ms  victim  thief  count                one per steal
#   labels.dat  ms  y  count                            a steal's label, for
#               steals of more than one task: beside the thief's row, moved
#               right where it would overlap the label before it
#   tries.dat   ms  thief  victim                       failed steal attempts
#   bars.dat    worker  tasks_run  tasks_stolen  steals  one per worker
#   meta.gp     gnuplot variables: title, about, nworkers, tmax, drops
#
# Each .dat file also gets one point at time -1, outside the plot.
#
# Usage: awk -F, -v dir=DIR -f timeline.awk TRACE.csv
# Times become milliseconds since the trace began.

NR == 1 && /^# / {
    line = substr($0, 3)
    i = index(line, ": ")
    title = i ? substr(line, 1, i - 1) : line
    about = i ? substr(line, i + 2) : ""
    next
}
/^# [0-9]+ workers;/ { split($0, w, " "); nworkers = w[2]; next }
/dropped/ { split($0, dd, ", "); drops += dd[2] + 0; next }
/^#/ || /^worker,/ { next }

{
    wk = $1; ms = $2 / 1e6; ev = $3
    if (ms > tmax)
        tmax = ms
    if (wk < 0)
        next                        # main's spawns: not drawn
    # A steal attempt failed unless the worker's next event is its steal.
    if ((wk in tried) && ev != "steal")
        printf "%.6f %d %d\n", tried[wk], wk, tried_victim[wk] > (dir "/tries.dat")
    delete tried[wk]

    if (ev == "start") {
        depth[wk]++
        t0[wk, depth[wk]] = ms
        task[wk, depth[wk]] = $4
        stolen[wk, depth[wk]] = handed[wk]
        handed[wk] = 0
    } else if (ev == "end" && depth[wk] > 0) {
        d = depth[wk]--
        kind = stolen[wk, d] ? 2 : (ran[wk] % 2)
        printf "%d %.6f %.6f %d %s\n", wk, t0[wk, d], ms, kind, task[wk, d] > (dir "/busy.dat")
        ran[wk]++
    } else if (ev == "park") {
        parked[wk] = ms
    } else if (ev == "unpark" && (wk in parked)) {
        printf "%d %.6f %.6f\n", wk, parked[wk], ms > (dir "/parked.dat")
        delete parked[wk]
    } else if (ev == "steal_try") {
        tried[wk] = ms
        tried_victim[wk] = $5
    } else if (ev == "steal") {
        printf "%.6f %d %d %d\n", ms, $5, wk, $6 > (dir "/steals.dat")
        if ($6 > 1) {
            nlab++
            lab_ms[nlab] = ms
            lab_y[nlab] = wk + (wk > $5 ? -0.42 : 0.42)    # the thief's side
            lab_n[nlab] = $6
        }
        handed[wk] = 1
        took[wk] += $6
        steals[wk]++
    }
}

END {
    for (wk in tried)
        printf "%.6f %d %d\n", tried[wk], wk, tried_victim[wk] > (dir "/tries.dat")
    for (wk in parked)              # parked when the trace ended
        printf "%d %.6f %.6f\n", wk, parked[wk], tmax > (dir "/parked.dat")
    for (wk = 0; wk < nworkers; wk++)
        printf "%d %d %d %d\n", wk, ran[wk], took[wk], steals[wk] > (dir "/bars.dat")
    # The labels, so that none overlaps another.  In timeline.gp's layout
    # about 1000 pixels span the time axis, a worker's row is about
    # (0.9 * (340 + 90 * nworkers) - 150) / nworkers pixels high, and a
    # label's box is about 8 pixels per digit plus 8 wide and 18 high.  A
    # label that would overlap one already placed moves right, past it.
    ms_per_px = (tmax > 0 ? tmax : 1) * 1.005 / 1000
    row_px = nworkers > 0 ? (0.9 * (340 + 90 * nworkers) - 150) / nworkers : 150
    near = 18 / row_px              # in rows: labels closer in height overlap
    for (i = 1; i <= nlab; i++) {
        x = lab_ms[i]
        lw = (8 * length(lab_n[i] "") + 8) * ms_per_px
        do {
            moved = 0
            for (j = 1; j < i; j++) {
                dy = lab_y[j] - lab_y[i]
                if (dy < near && dy > -near && x < lab_x[j] + (lab_w[j] + lw) / 2 + 4 * ms_per_px &&
                    x > lab_x[j] - (lab_w[j] + lw) / 2 - 4 * ms_per_px) {
                    x = lab_x[j] + (lab_w[j] + lw) / 2 + 4 * ms_per_px
                    moved = 1
                }
            }
        } while (moved)
        lab_x[i] = x
        lab_w[i] = lw
        printf "%.6f %.2f %d\n", x, lab_y[i], lab_n[i] > (dir "/labels.dat")
    }
    # A file with no point makes gnuplot warn: give each one a point at
    # time -1, left of the plot, where it is not drawn.
    printf "0 -1 -1 0 0\n" > (dir "/busy.dat")
    printf "0 -1 -1\n" > (dir "/parked.dat")
    printf "-1 0 1 1\n" > (dir "/steals.dat")
    printf "-1 0 1\n" > (dir "/tries.dat")
    printf "-1 0 0\n" > (dir "/labels.dat")
    meta = dir "/meta.gp"
    printf "title = \"%s\"\nabout = \"%s\"\nnworkers = %d\ntmax = %.6f\ndrops = %d\n",
           title, about, nworkers, tmax, drops > meta
}
