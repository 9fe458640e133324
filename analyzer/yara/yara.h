// analyzer/yara: Beffroi's YARA engine, the only component that talks to libyara.
//
// Umbrella header. Typical use: one YaraLibrary per process (library.h); a RuleSet loaded
// once from rule files with an on-disk compiled cache (rule_set.h) and shared read-only; one
// Scanner per worker thread (scanner.h) scanning buffers or descriptors with the Loki/THOR
// externals of each file (externals.h); CheckRules (check.h) for `beffroi rules check`.
// See each header for ownership and thread-safety.
#pragma once

#include "analyzer/yara/check.h"
#include "analyzer/yara/diagnostic.h"
#include "analyzer/yara/externals.h"
#include "analyzer/yara/library.h"
#include "analyzer/yara/rule_info.h"
#include "analyzer/yara/rule_set.h"
#include "analyzer/yara/scanner.h"
