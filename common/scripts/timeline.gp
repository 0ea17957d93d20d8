# timeline.gp: draws one trace: a timeline with a row per worker, and the
# tasks each worker ran.  Reads the files timeline.awk wrote into `dir`;
# writes the PNG `out`.  Run by timeline.sh:
#
#   gnuplot -e "dir='DIR'; out='OUT.png'" timeline.gp

load dir.'/meta.gp'

# The tallest bar, for the bar chart's range (before any range is set:
# stats obeys them).
max(a, b) = a > b ? a : b
stats dir.'/bars.dat' using (max($2, $3)) nooutput
barmax = STATS_max

set terminal pngcairo size 1400, 340 + 90 * nworkers font 'DejaVu Sans,13' noenhanced
set output out
set multiplot title sprintf("%s\n%s%s", title, about, drops > 0 ? sprintf(" (%d events dropped)", drops) : "") font ',14'

# ---- the timeline, left ----
set origin 0, 0
set size 0.78, 0.9
set lmargin 12
set rmargin 2
set bmargin 7
set xlabel 'time since the trace began (ms)'
set xrange [0:tmax * 1.005]
set yrange [nworkers - 0.5:-0.5]
set ytics 1
set ytics format ''
do for [w = 0:nworkers - 1] { set ytics add (sprintf('worker %d', w) w) }
set mytics 1
set grid xtics lc rgb '#dddddd'
set key below horizontal maxrows 2 samplen 2 spacing 1.1 width -2 font ',12'
set style fill solid 1.0 noborder
# The batch sizes on a white ground, so that the lines behind do not hide them.
set style textbox opaque noborder margins 1, 1

# Own tasks alternate between two blues, so that neighbours can be told
# apart when they are wide enough to see.
kindcolor(k) = k == 2 ? 0xe8710a : (k == 1 ? 0x3b75af : 0x6fa3d6)
# A task a steal handed over is taller, so that a short one still shows.
kindheight(k) = k == 2 ? 0.4 : 0.3
# What "parked" means depends on the lesson.
parked = strstrt(title, 'lesson01') ? 'parked (asleep on the condition variable)' : \
         strstrt(title, 'lesson05') ? 'parked (in park(): polling, then asleep)' : \
         'parked (back_off: a 100 us nap)'

plot dir.'/parked.dat' using (($2 + $3) / 2):1:(($3 - $2) / 2):(0.45) \
         with boxxyerror lc rgb '#d0d0d0' title parked, \
     dir.'/busy.dat' using (($2 + $3) / 2):1:(($3 - $2) / 2):(kindheight($4)):(kindcolor($4)) \
         with boxxyerror lc rgb variable notitle, \
     NaN with boxes lc rgb '#3b75af' title 'running a task', \
     NaN with boxes lc rgb '#6fa3d6' title 'running the next task (the blues alternate)', \
     NaN with boxes lc rgb '#e8710a' title 'running the task a steal handed over', \
     dir.'/tries.dat' using 1:($2 + 0.38) with points pt 7 ps 0.25 lc rgb '#555555' \
         title 'steal attempt that failed', \
     dir.'/steals.dat' using 1:2:(0):($3 - $2) with vectors head filled size screen 0.008, 20 \
         lw 1.5 lc rgb '#c0392b' title 'steal: victim -> thief (label: tasks taken)', \
     dir.'/labels.dat' using 1:2:($1 >= 0 ? sprintf('%d', $3) : '') \
         with labels boxed font ',11' tc rgb '#c0392b' notitle

# ---- tasks per worker, right ----
set origin 0.78, 0
set size 0.22, 0.9
set lmargin 9
set rmargin 2
set bmargin 7
unset grid
set xlabel ''
set ylabel 'tasks'
set title 'tasks per worker' font ',13'
set xrange [-0.6:nworkers - 0.4]
set yrange [0:barmax * 1.2 + 1]
set ytics auto
set ytics format '%g'
unset mytics
set xtics 1 scale 0
set xtics format ''
do for [w = 0:nworkers - 1] { set xtics add (sprintf('w%d', w) w) }
set key below vertical font ',12'
set boxwidth 0.35
plot dir.'/bars.dat' using ($1 - 0.18):2 with boxes lc rgb '#3b75af' title 'ran', \
     dir.'/bars.dat' using ($1 + 0.18):3 with boxes lc rgb '#e8710a' title 'got by stealing', \
     dir.'/bars.dat' using ($1 - 0.18):2:(sprintf('%d', $2)) with labels offset 0, 0.7 font ',11' notitle, \
     dir.'/bars.dat' using ($1 + 0.18):3:(sprintf('%d', $3)) with labels offset 0, 0.7 font ',11' notitle

unset multiplot
