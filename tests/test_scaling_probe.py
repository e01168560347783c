"""The CPU-busy probe that the speedup pages use to decide what they can assert."""

import os

import pytest

from dsscale.machine import cpu_busy_fraction


def _stat_line(user, nice, system, idle, iowait, irq=0):
    return f"cpu  {user} {nice} {system} {idle} {iowait} {irq} 0 0 0 0\n"


def test_busy_fraction_counts_idle_and_iowait_as_free(tmp_path):
    stat = tmp_path / "stat"
    stat.write_text(_stat_line(100, 0, 50, 800, 50))
    slept = []

    def sleep(seconds):  # between the two readings, others used 30 of 200 ticks
        slept.append(seconds)
        stat.write_text(_stat_line(120, 0, 60, 950, 70))

    busy = cpu_busy_fraction(0.5, stat_path=str(stat), sleep=sleep)
    assert slept == [0.5]
    # busy ticks: (120 - 100) + (60 - 50) = 30 of (1200 - 1000) = 200 in total
    assert busy == pytest.approx(30 / 200)


def test_busy_fraction_is_none_without_a_stat_file_or_elapsed_ticks(tmp_path):
    assert cpu_busy_fraction(0.1, stat_path=str(tmp_path / "missing"),
                             sleep=lambda s: None) is None
    stat = tmp_path / "stat"
    stat.write_text(_stat_line(1, 0, 1, 1, 1))
    assert cpu_busy_fraction(0.1, stat_path=str(stat), sleep=lambda s: None) is None


@pytest.mark.skipif(not os.path.exists("/proc/stat"), reason="needs Linux /proc/stat")
def test_busy_fraction_reads_the_real_proc_stat():
    busy = cpu_busy_fraction(0.2)
    assert isinstance(busy, float)


def test_busy_fraction_rejects_a_non_positive_interval():
    with pytest.raises(ValueError, match="interval"):
        cpu_busy_fraction(0.0)
