{
  # libtorch is located by torch_config.py (LIBTORCH=/path, Debian's libtorch-dev, or a pip torch); it prints
  # the include flags, the detected _GLIBCXX_USE_CXX11_ABI, link flags and an rpath for non-system installs.
  "targets": [
    {
      "target_name": "laclip_native",
      "sources": [
        "src/common.cc",
        "src/core.cc",
        "src/random.cc",
        "src/shape.cc",
        "src/math.cc",
        "src/reduce.cc",
        "src/nn.cc",
        "src/attention.cc",
        "src/autograd.cc",
        "src/custom_functions.cc",
        "src/profiler.cc",
        "src/optim_fused.cc",
        "src/cuda_info.cc",
        "src/fused_layer_norm.cc",
        "src/fused_linear.cc",
        "src/fused_attention.cc",
        "src/host_allocator.cc",
        "src/distributed.cc",
        "src/distributed_ops.cc",
        "src/distributed_autograd.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++20"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O3", "-fopenmp", "-fno-math-errno", "-Wno-unused-parameter",
                    "<!@(python3 torch_config.py --cflags)"],
      "ldflags": ["-fopenmp", "<!@(python3 torch_config.py --ldflags)"],
      "libraries": ["<!@(python3 torch_config.py --libs)"]
    }
  ]
}
