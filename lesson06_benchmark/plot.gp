# plot.gp: the benchmark's plots, drawn from the .dat files bench writes.
#
#   gnuplot -e "dir='lesson06_benchmark/results/latest'" lesson06_benchmark/plot.gp
#
# (make bench runs it.)  Writes into dir:
#   flat.png        ns per task on flat, lessons and peers, with min-max bars
#   speedup.png     tree and fib: speed-up over 1 worker against workers
#   oversub.png     flat: ns per task against workers, into oversubscription
#   imbalanced.png  imbalanced: time over the ideal
#   steals.png      steals per task run, per lesson, on three workloads
#   program-nqueens.png, program-sort.png, program-reduce.png
#                   the real programs: speed-up over serial, a bar per grain

if (!exists("dir")) dir = "lesson06_benchmark/results/latest"
machine = system("head -1 '".dir."/bench.txt' | sed 's/^machine: //; s/;.*//'")

# One colour per contestant in every plot; the peers' lines are dashed.
color(s) = strstrt(s, "lesson01") ? "#cc3311" : strstrt(s, "lesson02") ? "#ee7733" : \
           strstrt(s, "lesson03") ? "#009988" : strstrt(s, "lesson04") ? "#0077bb" : \
           strstrt(s, "lesson05") ? "#332288" : strstrt(s, "libgomp") ? "#999999" : \
           strstrt(s, "libomp") ? "#555555" : strstrt(s, "oneTBB") ? "#bbaa00" : \
           strstrt(s, "rayon") ? "#aa4499" : strstrt(s, "crossbeam") ? "#cc6677" : \
           strstrt(s, "Go") ? "#44aa99" : "#000000"
dash(s) = strstrt(s, "lesson") ? 1 : 2
bar(s) = strstrt(s, "lesson") ? 0x4477aa : 0xaaaaaa
header(f) = system("head -1 '".f."'")

set terminal pngcairo size 900,560 font "DejaVu Sans,11" noenhanced
set datafile missing "NaN"
set key noenhanced
set grid ytics lc rgb "#dddddd"
set border 3
set tics nomirror

# ---- flat: the headline (grey: the peers) ----
set output dir."/flat.png"
set title "flat: 10,000 trivial tasks spawned from the main thread, then wait\n".machine
set ylabel "ns per task (median; bars: min to max)"
set style fill solid 0.8 border -1
set boxwidth 0.6
set xtics rotate by 30 right
set lmargin 16                  # room for the first, slanted name
set yrange [0:*]
set xrange [-0.6:*]
plot dir."/flat.dat" using 0:2:(bar(strcol(1))):xtic(1) with boxes lc rgb variable notitle, \
     "" using 0:2:3:4 with yerrorbars lc rgb "black" ps 0 notitle, \
     "" using 0:2:(sprintf("%.0f", $2)) with labels offset 0,0.8 notitle

# ---- imbalanced ----
set output dir."/imbalanced.png"
set title "imbalanced: 1 us tasks, every 100th 100 us; time over the ideal\n".machine
set ylabel "wall time / (serial time / cores)"
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0     # room above the tallest bar for the key
set key top left
plot dir."/imbalanced.dat" using 0:2:(bar(strcol(1))):xtic(1) with boxes lc rgb variable notitle, \
     "" using 0:2:(sprintf("%.2f", $2)) with labels offset 0,0.8 notitle, \
     1 with lines dt 2 lc rgb "black" title "ideal"
set offsets 0, 0, 0, 0

# ---- steals per task ----
set output dir."/steals.png"
set title "steals per task run: tasks taken from another worker's queue\n(lesson01 has one queue and no steals; log scale)\n".machine
set ylabel "steals / tasks run"
# A workload with no steal in any lesson has no bar: left out, and named in
# the title.  The y axis starts a decade below the smallest steal rate.
f = dir."/steals.dat"
h = header(f)
shown = ""
none = ""
lowest = 0.0001
do for [i=2:words(h)] {
    stats f using (column(i) > 0 ? column(i) : 1e9) nooutput
    if (STATS_min < 1e9) {
        shown = shown." ".i
        lowest = STATS_min < lowest ? STATS_min : lowest
    } else {
        none = none.(none eq "" ? "" : ", ").word(h, i)
    }
}
if (none ne "") set title "steals per task run: tasks taken from another worker's queue\n(log scale; lesson01 has one queue and no steals; no steals in any lesson on ".none.")\n".machine
set yrange [10**floor(log10(lowest)):5]
set format y "%g"
set logscale y
set style data histograms
set style histogram clustered gap 1
set key top left
barcolor(i) = word("#4477aa #66ccee #ccbb44 #ee6677", i - 1)
plot for [c in shown] f using int(c):xtic(1) title word(h, int(c)) lc rgb barcolor(int(c))
set style data points
unset logscale y

# ---- speed-up against workers ----
unset xtics
set xtics norotate
set xtics nomirror
set logscale x 2
set xrange [*:*]
# One y axis for both panels, fitted to the highest speed-up in either.
top = 1
do for [g in "tree fib"] {
    f = dir."/sweep-".g.".dat"
    do for [i=2:words(header(f))] {
        stats f using i nooutput
        top = STATS_max > top ? STATS_max : top
    }
}
set yrange [0:ceil(top * 2 + 0.5) / 2.0]
# The sizes, as bench.txt names them ("tree: ... (depth 13)", "fib(20) by workers").
treesize = system("sed -n 's/^tree: .*(\\(depth [0-9]*\\)).*/\\1/p' '".dir."/bench.txt' | head -1")
fibname = system("sed -n 's/^\\(fib([0-9]*)\\) by workers.*/\\1/p' '".dir."/bench.txt' | head -1")
fibname = fibname eq "" ? "fib" : fibname
set output dir."/speedup.png"
set terminal pngcairo size 1200,520 font "DejaVu Sans,11" noenhanced
unset lmargin
set multiplot layout 1,2 title "speed-up against workers: time on 1 worker / time on N (dashed: peers)\n".machine
set title "tree".(treesize eq "" ? "" : " (".treesize.")")
set xlabel "workers"
set ylabel "T1 / TN (its own 1-worker time / this time)"
set key outside right top
f = dir."/sweep-tree.dat"
h = header(f)
plot for [i=2:words(h)] f using 1:i with linespoints lw 2 pt 7 lc rgb color(word(h, i)) \
     dt dash(word(h, i)) title word(h, i)
set title fibname.", one join per call (only lessons 4 and 5 have join)\nsmaller than the table's fib, to keep the sweep short"
unset key
f = dir."/sweep-fib.dat"
h = header(f)
plot for [i=2:words(h)] f using 1:i with linespoints lw 2 pt 7 lc rgb color(word(h, i)) \
     dt dash(word(h, i)) title word(h, i)
unset multiplot

# ---- flat against workers: oversubscription ----
set terminal pngcairo size 900,560 font "DejaVu Sans,11" noenhanced
set output dir."/oversub.png"
set title "flat against workers: past the cores, spinning workers\ntake CPU from workers with work; ".machine
set ylabel "ns per task (median)"
set logscale y
set yrange [*:*]
set autoscale yfix                  # the decades the data spans, no more
set offsets 0, 0, graph 0.05, graph 0.05
set key outside right top
f = dir."/sweep-flat.dat"
h = header(f)
plot for [i=2:words(h)] f using 1:i with linespoints lw 2 pt 7 lc rgb color(word(h, i)) \
     dt dash(word(h, i)) title word(h, i)
set offsets 0, 0, 0, 0
set autoscale y                     # and no longer fixed

# ---- the real programs: speed-up over serial, a bar per grain ----
# program-NAME.dat (programs_bench.c): a row per pool and peer, a column per
# grain (nqueens: cut-off), the table's marked *; a program that did not
# run has no file and no plot.
unset logscale
unset xlabel
set terminal pngcairo size 1000,560 font "DejaVu Sans,11" noenhanced
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by 30 right
set lmargin 16                  # room for the first, slanted name
set autoscale x
set yrange [0:*]
set offsets 0, 0, 0.25, 0       # room above the ideal's dashed line
set key outside right top
set format y "%g"
workers = system("sed -n 's/^\\([0-9]*\\) workers, median of.*answer checked.*/\\1/p' '".dir."/bench.txt' | head -1")
cpus = system("sed -n '1s/.*, \\([0-9]*\\) CPUs;.*/\\1/p' '".dir."/bench.txt'")
ideal = (workers eq "" || cpus eq "") ? 0 : (int(workers) < int(cpus) ? int(workers) : int(cpus))
grain_color(i) = word("#332288 #88ccee #44aa99 #117733 #999933 #ddcc77 #cc6677 #882255", (i - 2) % 8 + 1)
do for [prog in "nqueens sort reduce"] {
    f = dir."/program-".prog.".dat"
    if (system("[ -s '".f."' ] && echo y") eq "y") {
        set output dir."/program-".prog.".png"
        set title prog.": speed-up over serial, each bar a ".(prog eq "nqueens" ? "cut-off" : "grain"). \
                  " (* the table's); dashed: ".ideal." CPUs' worth\n".machine
        set ylabel "serial time / this time (median)"
        h = header(f)
        unset arrow
        set arrow from graph 0, first 1 to graph 1, first 1 nohead lc rgb "#bbbbbb"
        if (ideal > 0) {
            set arrow from graph 0, first ideal to graph 1, first ideal nohead dt 2 lc rgb "black"
        }
        plot for [i=2:words(h)] f every ::1 using i:xtic(1) title word(h, i) lc rgb grain_color(i)
    }
}
