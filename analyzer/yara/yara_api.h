// The one include of libyara's C API, for the .cc files of this folder only.
//
// libyara's headers are not written for -Wpedantic -Wconversion -Wshadow; the diagnostics
// are silenced around the include so that our own code keeps every warning. No header of this
// folder that other components include may include this file: they forward-declare YR_RULES,
// YR_SCANNER and YR_COMPILER instead. Declarations only; thread-safety is libyara's.
#pragma once

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <yara.h>
#pragma GCC diagnostic pop
