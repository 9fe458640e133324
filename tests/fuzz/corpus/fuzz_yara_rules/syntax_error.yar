rule broken {
  strings: $a = "x"
  condition: $b and
}
include "other.yar"
