/*
  Ryuk: the family the press suspected in the attack on the city of Liege (June 2021).
  Ryuk drops RyukReadMe.txt / RyukReadMe.html next to the files it encrypts and appends the
  .RYK extension. Both rules are Beffroi's own; they contain no sample content.
*/

import "math"

rule RANSOM_Ryuk_Note
{
  meta:
    description = "Detects a Ryuk ransom note: the RyukReadMe file name or the family signature together with the usual note vocabulary (breached network, encrypted hosts, contact and decryption talk)"
    author = "Beffroi project"
    reference = "https://malwarebytes.com/blog/news/2021/06/city-of-liege-hit-by-ransomware-ryuk-suspected"
    date = "2026-11-22"
    score = 85
    mitre_attack = "T1486"
    playbook = "ransomware"

  strings:
    $family = "Ryuk" ascii wide fullword
    $n1 = /network\s+has\s+been\s+penetrated/ ascii wide nocase
    $n2 = /files\s+on\s+each\s+host/ ascii wide nocase
    $n3 = /no\s+system\s+is\s+safe/ ascii wide nocase
    $n4 = /balance\s+of\s+shadow\s+universe/ ascii wide nocase
    $n5 = "protonmail" ascii wide nocase
    $n6 = "decrypt" ascii wide nocase
    $n7 = /BTC\s+wallet/ ascii wide nocase

  condition:
    filesize < 64KB and
    (
      (filename matches /^RyukReadMe\.(txt|html?)$/i and 2 of ($n*)) or
      ($family and 3 of ($n*))
    )
}

rule RANSOM_Ryuk_Encrypted_File
{
  meta:
    description = "Detects a file renamed with Ryuk's .RYK extension whose content looks encrypted: the HERMES key-blob marker near the end, or a near-random first kilobyte"
    author = "Beffroi project"
    reference = "https://malwarebytes.com/blog/news/2021/06/city-of-liege-hit-by-ransomware-ryuk-suspected"
    date = "2026-11-22"
    score = 80
    mitre_attack = "T1486"
    playbook = "ransomware"

  strings:
    $hermes = "HERMES" ascii

  condition:
    extension == ".ryk" and filesize >= 1KB and
    (
      $hermes in (filesize - 1024 .. filesize) or
      math.entropy(0, 1024) >= 7.0
    )
}
