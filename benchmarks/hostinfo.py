"""What a benchmark record must name about its host: the CPU (lscpu's model name, family and
model), its caches, whether AVX-512 is visible, and the BLAS kernel NumPy runs. Speed ratios
move with exactly these between x86 hosts."""

import subprocess


def lscpu() -> dict[str, str]:
    """lscpu's fields ("Model name", "L2 cache", "Flags", ...); empty when lscpu is missing."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    except OSError:
        return {}
    return {key.strip(): value.strip() for key, _, value in
            (line.partition(":") for line in out.splitlines()) if value}


def blas() -> str:
    """The BLAS NumPy loaded, with its kernel (e.g. "openblas 0.3.31 Haswell")."""
    try:
        import numpy  # noqa: F401  (loads the BLAS threadpoolctl reports)
        from threadpoolctl import threadpool_info
    except ImportError:
        return "BLAS unknown (threadpoolctl not installed)"
    return ", ".join(f"{p['internal_api']} {p.get('version')} {p.get('architecture')}"
                     for p in threadpool_info() if p["user_api"] == "blas")


def host() -> str:
    """One line: CPU model, family/model, L2 and L3, AVX-512 visible or not, BLAS kernel."""
    cpu = lscpu()
    avx512 = "AVX-512" if "avx512f" in cpu.get("Flags", "").split() else "no AVX-512"
    return (f"{cpu.get('Model name', 'unknown CPU')} (family {cpu.get('CPU family', '?')} "
            f"model {cpu.get('Model', '?')}), L2 {cpu.get('L2 cache', '?')}, "
            f"L3 {cpu.get('L3 cache', '?')}, {avx512}; {blas()}")
