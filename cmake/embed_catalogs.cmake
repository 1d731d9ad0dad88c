# Writes a C++ file holding each catalog's JSON (cmake -P script). Inputs: OUT (file to write),
# FILES (JSON files separated by "|"), STRIP (ON for the WebAssembly build), PAGE (ON for the page's
# core module, which strips more). The stripped copies
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
    set(paths)
    # Compute (fp16_tflops), power (tdp_w) and prices stay: speed, training time, cost and power use them.
    foreach(field source params_source config_source memory_type gpu_cores)
      list(APPEND paths "${field}")
    endforeach()
    # The page's core (PAGE=ON) also leaves out what only the full module's training and serving
    # answers and the catalog listing use: prices, power, FP8 throughput.
    if(PAGE)
      # (release_date and release_year stay: the question parser picks the newest match by them.)
      foreach(field price_usd cloud_usd_per_hour tdp_w fp8_tflops)
        list(APPEND paths "${field}")
      endforeach()
    endif()
    # config.json keys the core does not read (it derives everything else from the rest).
    foreach(field hidden_act hidden_activation use_sliding_window max_window_layers query_pre_attn_scalar
                  num_nextn_predict_layers partial_rotary_factor)
      list(APPEND paths "config|${field}" "config|text_config|${field}")
    endforeach()
    # Entry by entry: each REMOVE re-parses only that entry, so this stays linear in the catalog's
    # size (removing from the whole text re-parsed all of it for every field of every entry).
    math(EXPR last "${count} - 1")
    set(items "")
    foreach(i RANGE ${last})
      string(JSON entry GET "${text}" ${name} ${i})
      foreach(path IN LISTS paths)
        string(REPLACE "|" ";" members "${path}")
        # A missing member is no error, a missing parent is: keep the entry unless it worked.
        string(JSON stripped ERROR_VARIABLE error REMOVE "${entry}" ${members})
        if(NOT error)
          set(entry "${stripped}")
        endif()
      endforeach()
      if(i GREATER 0)
        string(APPEND items ",")
      endif()
      string(APPEND items "${entry}")
    endforeach()
    string(JSON text SET "${text}" ${name} "[${items}]")
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
