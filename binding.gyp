{
  "variables": {
    "edgeinfer_include_dirs": [
      "<!(node -p \"require('node-addon-api').include_dir\")",
      "native/include",
      "native"
    ]
  },
  "target_defaults": {
    "include_dirs": ["<@(edgeinfer_include_dirs)"],
    "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
    "cflags_cc": ["-std=c++17", "-O3", "-fvisibility=hidden", "-ffp-contract=off"],
    "xcode_settings": {
      "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
      "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
      "MACOSX_DEPLOYMENT_TARGET": "11.0"
    },
    "msvs_settings": {"VCCLCompilerTool": {"ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"]}}
  },
  "targets": [
    {
      "target_name": "edgeinfer",
      "sources": ["<!@(node native/sources.js --addon)"],
      "ldflags": ["-Wl,--gc-sections", "-s"],
      "conditions": [
        ["target_arch=='x64'", {"dependencies": ["edgeinfer_avx2", "edgeinfer_avx512vnni", "edgeinfer_avxvnni"]}],
        ["target_arch=='arm64'", {"dependencies": ["edgeinfer_neon", "edgeinfer_neondot"]}]
      ]
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "edgeinfer_avx2",
          "type": "static_library",
          "sources": ["<!@(node native/sources.js --isa avx2)"],
          "cflags_cc": ["-fPIC", "-mavx2", "-mfma"]
        },
        {
          "target_name": "edgeinfer_avx512vnni",
          "type": "static_library",
          "sources": ["<!@(node native/sources.js --isa avx512vnni)"],
          "cflags_cc": ["-fPIC", "-mavx2", "-mfma", "-mavx512f", "-mavx512bw", "-mavx512dq", "-mavx512vl", "-mavx512vnni"]
        },
        {
          "target_name": "edgeinfer_avxvnni",
          "type": "static_library",
          "sources": ["<!@(node native/sources.js --isa avxvnni)"],
          "cflags_cc": ["-fPIC", "-mavx2", "-mfma", "-mavxvnni"]
        }
      ]
    }],
    ["target_arch=='arm64'", {
      "targets": [
        {
          "target_name": "edgeinfer_neon",
          "type": "static_library",
          "sources": ["<!@(node native/sources.js --isa neon)"],
          "cflags_cc": ["-fPIC", "-march=armv8-a"]
        },
        {
          "target_name": "edgeinfer_neondot",
          "type": "static_library",
          "sources": ["<!@(node native/sources.js --isa neondot)"],
          "cflags_cc": ["-fPIC", "-march=armv8.2-a+dotprod"]
        }
      ]
    }]
  ]
}
