#!/usr/bin/env python3
"""Finds the libtorch that binding.gyp compiles and links against, and prints the flags gyp needs.

Order of search:
  1. LIBTORCH=/path   a directory with include/ and lib/ (the official libtorch zip, CPU or CUDA, or the
                      `torch` directory of a pip install); LIBTORCH=pip asks `$LACLIP_PYTHON` (default python3)
                      where its torch lives.
  2. Debian/Ubuntu's libtorch-dev (headers under /usr/include/torch, libs in the multiarch directory).
  3. A pip-installed torch importable by `$LACLIP_PYTHON` / python3.

The C++ ABI (_GLIBCXX_USE_CXX11_ABI) is read, never assumed: from torch._C for a pip torch, otherwise from the
symbols of libc10.so (mangled `std::__cxx11::` names appear only in new-ABI builds).

Usage: torch_config.py --cflags | --ldflags | --libs | --describe
"""
import glob
import os
import shutil
import subprocess
import sys

SYSTEM_INCLUDE = "/usr/include"


def fail(msg):
    sys.stderr.write("laclip native build: " + msg + "\n")
    sys.exit(1)


def python_torch():
    """The directory and ABI flag of the torch importable by the configured Python, or None."""
    py = os.environ.get("LACLIP_PYTHON", "python3")
    code = "import torch,os;print(os.path.dirname(torch.__file__));print(int(torch._C._GLIBCXX_USE_CXX11_ABI))"
    try:
        out = subprocess.run([py, "-c", code], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    lines = out.stdout.strip().splitlines()
    if len(lines) < 2 or not os.path.isdir(os.path.join(lines[-2], "include")):
        return None
    return lines[-2], int(lines[-1])


def abi_from_symbols(libdir):
    lib = os.path.join(libdir, "libc10.so")
    if not os.path.exists(lib):
        fail(f"{lib} not found; LIBTORCH must point at a directory containing lib/libc10.so")
    if shutil.which("nm"):
        out = subprocess.run(["nm", "-D", lib], capture_output=True, text=True)
        if out.returncode == 0:
            return 1 if "__cxx11" in out.stdout else 0
    # Without binutils, the mangled names are still plain bytes in the dynamic string table.
    with open(lib, "rb") as f:
        return 1 if b"__cxx11" in f.read() else 0


def from_dir(root, abi=None, origin="LIBTORCH"):
    inc, lib = os.path.join(root, "include"), os.path.join(root, "lib")
    if not os.path.isdir(os.path.join(inc, "torch", "csrc", "api", "include")):
        fail(f"{origin}={root}: {inc}/torch/csrc/api/include is missing; point it at an unpacked libtorch")
    return {
        "origin": f"{origin}={root}",
        "includes": [inc, os.path.join(inc, "torch", "csrc", "api", "include")],
        "libdir": lib,
        "rpath": True,
        "abi": abi_from_symbols(lib) if abi is None else abi,
    }


def system():
    api = os.path.join(SYSTEM_INCLUDE, "torch", "csrc", "api", "include")
    if not os.path.isdir(api):
        return None
    for libdir in glob.glob("/usr/lib/*-linux-gnu") + ["/usr/lib", "/usr/lib64"]:
        if os.path.exists(os.path.join(libdir, "libtorch_cpu.so")):
            return {"origin": "libtorch-dev (system)", "includes": [api], "libdir": libdir, "rpath": False,
                    "abi": abi_from_symbols(libdir)}
    return None


def cuda_includes(torch_root):
    """Folders holding cuda_runtime_api.h (the CUDA toolkit, or the nvidia-* pip wheels beside a pip torch): the
    allocator statistics (src/cuda_info.cc) include c10/cuda headers that need it. Empty when none is found, or
    when LACLIP_CUDA_INCLUDE=none (a build without them; gpu-check.sh retries that way if the first build fails)."""
    if os.environ.get("LACLIP_CUDA_INCLUDE", "") == "none":
        return []
    roots = [os.environ.get("CUDA_HOME", ""), os.environ.get("CUDA_PATH", ""), "/usr/local/cuda"]
    site = os.path.dirname(torch_root) if torch_root else ""
    candidates = [os.path.join(r, "include") for r in roots if r]
    if site:
        candidates += sorted(glob.glob(os.path.join(site, "nvidia", "*", "include")))
    return [d for d in candidates if os.path.exists(os.path.join(d, "cuda_runtime_api.h"))][:1]


def locate():
    env = os.environ.get("LIBTORCH", "").strip()
    if env == "pip":
        found = python_torch()
        if not found:
            fail("LIBTORCH=pip but `import torch` (with its include/ directory) failed in $LACLIP_PYTHON/python3")
        return from_dir(found[0], found[1], "pip torch")
    if env:
        return from_dir(os.path.abspath(env))
    sys_cfg = system()
    if sys_cfg:
        return sys_cfg
    found = python_torch()
    if found:
        return from_dir(found[0], found[1], "pip torch")
    fail("no libtorch found: install libtorch-dev (apt), set LIBTORCH=/path/to/libtorch, or pip install torch")


def main():
    cfg = locate()
    libdir = cfg["libdir"]
    cuda = os.path.exists(os.path.join(libdir, "libtorch_cuda.so"))
    mode = sys.argv[1] if len(sys.argv) > 1 else "--describe"
    if mode == "--cflags":
        # -isystem on a default system directory reorders it and breaks libstdc++'s #include_next <stdlib.h>.
        default = {"/usr/include", "/usr/local/include"}
        flags = [f"-isystem{d}" for d in cfg["includes"] if os.path.realpath(d) not in default]
        flags.append(f"-D_GLIBCXX_USE_CXX11_ABI={cfg['abi']}")
        if cuda:
            flags.append("-DLACLIP_WITH_CUDA=1")
            torch_root = os.path.dirname(libdir) if cfg["rpath"] else ""
            flags += [f"-isystem{d}" for d in cuda_includes(torch_root)]
        print(" ".join(flags))
    elif mode == "--ldflags":
        flags = [f"-L{libdir}"]
        if cfg["rpath"]:
            flags.append(f"-Wl,-rpath,{libdir}")
        print(" ".join(flags))
    elif mode == "--libs":
        libs = ["-ltorch", "-ltorch_cpu", "-lc10"]
        if cuda:
            # Nothing references libtorch_cuda directly; without --no-as-needed its CUDA hooks never register.
            libs = ["-Wl,--no-as-needed", "-ltorch_cuda", "-lc10_cuda", "-Wl,--as-needed"] + libs
        print(" ".join(libs))
    else:
        print(f"libtorch: {cfg['origin']}; libs {libdir}; _GLIBCXX_USE_CXX11_ABI={cfg['abi']}; cuda={int(cuda)}")


if __name__ == "__main__":
    main()
