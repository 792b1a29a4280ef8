#!/bin/sh
# Power cuts: a clean update is recorded (every esp_partition write and
# erase, otter's and ESP-IDF's, with its esp_partition_fail_after() units);
# then for every Nth operation the update runs again from the same start
# and the power is cut (esp_partition_fail_after) either right after that
# operation or half way through it; the process ends there. Each restart
# (a new process) must boot an app that ESP-IDF's esp_image_verify()
# accepts, and the update run again must complete (resuming from otter's
# journal) so that the next boot runs the new version. Between them the
# app confirms itself, as a real one does after its self-test. The same for a
# rollback (otter_esp_mark_app_invalid), every operation.
# CUT_EVERY (env) overrides N.
. "$OTTER_SRC/tests/esp-idf/idf_lib.sh"

img v1.bin 1.0.0 150000
img v2.bin 2.0.0 120000
serve_start
cp "$T/v2.bin" "$T/www/fw.bin"
fresh "$T/base.bin" "$T/v1.bin"
URL="$URL_BASE/fw.bin"

cp "$T/base.bin" "$T/rec.bin"
"$DEV" update "$T/rec.bin" "$URL" "$CA" record="$T/ops.txt" > "$T/rec.txt" 2>&1 || { echo "FAIL: clean update"; cat "$T/rec.txt"; exit 1; }
nops=$(wc -l < "$T/ops.txt")
units=$(tail -1 "$T/ops.txt" | cut -d' ' -f5)
every=${CUT_EVERY:-$(( (nops + 24) / 25 ))}
echo "clean update: $nops flash operations, $units fail_after units; cutting after or during every operation number 1 + ${every}*i"

bad=0; cuts=0; resumed=0; after_switch=0
k=1
while [ "$k" -le "$nops" ]; do
    line=$(sed -n "${k}p" "$T/ops.txt")
    u=$(echo "$line" | cut -d' ' -f4); cum=$(echo "$line" | cut -d' ' -f5)
    # odd cut points: right after op k; even: half way through op k
    if [ $(( (k / every) % 2 )) = 0 ] || [ "$u" -lt 2 ]; then at=$cum; how=after; else at=$(( cum - u / 2 )); how=during; fi
    cp "$T/base.bin" "$T/cut.bin"
    set +e
    "$DEV" update "$T/cut.bin" "$URL" "$CA" cut="$at" > "$T/c1.txt" 2>&1; rc1=$?
    # the restart: the app boots (a non-verifying choice exits 3), confirms
    # itself if it is on probation, then checks for the update again
    "$DEV" confirm-otter "$T/cut.bin" > "$T/c2.txt" 2>&1; rc2=$?
    "$DEV" update "$T/cut.bin" "$URL" "$CA" > "$T/c3.txt" 2>&1; rc3=$?
    "$DEV" boot "$T/cut.bin" > "$T/c4.txt" 2>&1; rc4=$?
    set -e
    cuts=$((cuts + 1))
    grep -q "resumed=1" "$T/c3.txt" && resumed=$((resumed + 1))
    [ $rc3 = 10 ] && after_switch=$((after_switch + 1))
    if [ $rc1 != 42 ] || [ $rc2 != 0 ] || { [ $rc3 != 0 ] && [ $rc3 != 10 ]; } || [ $rc4 != 0 ] ||
       ! grep -q "version=2.0.0" "$T/c4.txt"; then
        echo "FAIL: cut $how op $k ($line): cut rc $rc1, restart rc $rc2, update rc $rc3, final boot rc $rc4"
        cat "$T/c1.txt" "$T/c2.txt" "$T/c3.txt" "$T/c4.txt" | grep -v "Starting scheduler" | sed 's/^/    | /'
        bad=$((bad + 1))
    fi
    k=$((k + every))
done
echo "powercut-update: $cuts cuts, every boot verified, $resumed resumed from the journal, $after_switch already switched (2.0.0 ran and confirmed), $bad failed"
[ $bad = 0 ] && echo "ok: power cut during an update ($cuts points)" || FAILS=$((FAILS + bad))

# App-side otadata writes on the first boot of 2.0.0 (PENDING_VERIFY):
# otter's rollback and confirm, and ESP-IDF's confirm; cut at every unit.
sweep_app_side() {
    cmd="$1"
    cp "$T/rec.bin" "$T/rb.bin"
    "$DEV" "$cmd" "$T/rb.bin" record="$T/rbops.txt" > "$T/rb.txt" 2>&1 || true
    grep -q "$cmd=ESP_OK" "$T/rb.txt" || { echo "FAIL: clean $cmd"; cat "$T/rb.txt"; FAILS=$((FAILS + 1)); return 0; }
    last=$(tail -1 "$T/rbops.txt" | cut -d' ' -f5)
    rbad=0; rcuts=0; u=1; seen=""
    while [ "$u" -le "$last" ]; do
        cp "$T/rec.bin" "$T/rc.bin"
        set +e
        "$DEV" "$cmd" "$T/rc.bin" cut="$u" > "$T/r1.txt" 2>&1; r1=$?
        "$DEV" boot "$T/rc.bin" > "$T/r2.txt" 2>&1; r2=$?
        set -e
        rcuts=$((rcuts + 1))
        seen="$seen $(sed -n 's/^booted=\([^ ]*\).* version=\(.*\)/\1:\2/p' "$T/r2.txt")"
        if [ $r1 != 42 ] || [ $r2 != 0 ]; then
            echo "FAIL: $cmd cut at unit $u: rc $r1, boot rc $r2"
            cat "$T/r1.txt" "$T/r2.txt" | grep -v "Starting scheduler" | sed 's/^/    | /'
            rbad=$((rbad + 1))
        fi
        u=$((u + 1))
    done
    echo "powercut-$cmd: $rcuts cuts (every unit), boots after them:$seen; $rbad failed"
    [ $rbad = 0 ] && echo "ok: power cut during $cmd ($rcuts points)" || FAILS=$((FAILS + rbad))
}
sweep_app_side rollback-otter
sweep_app_side confirm-otter
sweep_app_side confirm-idf
finish
