# Writes a C++ file holding each catalog's JSON (cmake -P script). Inputs: OUT (file to write),
# FILES (JSON files separated by "|"), STRIP (ON for the WebAssembly build). The stripped copies
# leave out whitespace and the fields no answer uses (citations such as source and params_source,
# which document the data for reviewers; config.json keys the core does not read): that keeps the page small. The CLI embeds the files as they are.
string(REPLACE "|" ";" FILES "${FILES}")
set(delim "wif_catalog")
set(body "// Generated from catalogs/*.json by cmake/embed_catalogs.cmake. Do not edit.\n#include \"embedded_catalogs.hpp\"\n\nnamespace wif {\n\nstd::vector<CatalogText> embedded_catalogs() {\n    return {\n")
foreach(file IN LISTS FILES)
  file(READ ${file} text)
  get_filename_component(name ${file} NAME_WE)  # models, devices or quants: also the list's key
  string(JSON count ERROR_VARIABLE error LENGTH "${text}" ${name})
  if(error)
    message(FATAL_ERROR "${file}: ${error}")
  endif()
  if(STRIP AND count GREATER 0)
    math(EXPR last "${count} - 1")
    foreach(i RANGE ${last})
      set(paths)
      # Compute (fp16_tflops), power (tdp_w) and prices stay: speed, training time, cost and power use them.
      foreach(field source params_source config_source memory_type gpu_cores)
        list(APPEND paths "${field}")
      endforeach()
      # config.json keys the core does not read (it derives everything else from the rest).
      foreach(field hidden_act hidden_activation use_sliding_window max_window_layers query_pre_attn_scalar
                    num_nextn_predict_layers partial_rotary_factor attention_chunk_size)
        list(APPEND paths "config|${field}" "config|text_config|${field}")
      endforeach()
      foreach(path IN LISTS paths)
        string(REPLACE "|" ";" members "${path}")
        # A missing member is no error, a missing parent is: keep the text unless it worked.
        string(JSON stripped ERROR_VARIABLE error REMOVE "${text}" ${name} ${i} ${members})
        if(NOT error)
          set(text "${stripped}")
        endif()
      endforeach()
    endforeach()
  endif()
  if(STRIP)
    string(REGEX REPLACE "\n[ ]*" "" text "${text}")
    string(REGEX REPLACE "([^\\\\])\" : " "\\1\":" text "${text}")
  endif()
  string(FIND "${text}" ")${delim}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${file} contains the raw-string delimiter")
  endif()
  string(APPEND body "        {\"${name}.json\", R\"${delim}(${text})${delim}\"},\n")
endforeach()
string(APPEND body "    };\n}\n\n}  // namespace wif\n")
file(WRITE ${OUT} "${body}")
