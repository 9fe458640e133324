import "math"
rule seed_full : tag1 tag2
{
  meta:
    description = "Detects the seed"
    author = "Beffroi project"
    date = "2026-11-22"
    score = 150
    mitre_attack = "T1486, t1490"
    playbook = "ransomware"
  strings:
    $a = "seed" ascii wide nocase
    $b = { 73 65 65 64 ?? [0-4] 61 }
    $c = /see[d-f]{1,3}/
  condition:
    filesize < 64KB and ($a or $b or $c) and extension == ".yar" and math.entropy(0, filesize) >= 0
}
private rule seed_private { condition: filename matches /fuzz/ }
rule seed_uses_private { condition: seed_private and not seed_full or true }
