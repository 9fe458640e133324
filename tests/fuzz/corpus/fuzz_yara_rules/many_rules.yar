rule r1 { condition: true }
rule r2 { condition: true }
rule r3 { condition: true }
rule r4 { condition: true }
rule r5 { meta: score = "high" condition: filesize >= 0 }
rule r6 { strings: $s = "rule" condition: #s > 1 }
