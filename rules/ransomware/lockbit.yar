/*
  LockBit: the most active ransomware-as-a-service of 2021-2023, behind many attacks on local
  governments. LockBit 2.0 leaves Restore-My-Files.txt and renames files with .lockbit.
*/

import "math"

rule RANSOM_LockBit_Note
{
  meta:
    description = "Detects a LockBit ransom note: the LockBit name or the Restore-My-Files.txt file name, with a Tor address and the usual private-key and Tor Browser wording"
    author = "Beffroi project"
    reference = "https://github.com/splunk/security_content"
    date = "2026-11-22"
    score = 85
    mitre_attack = "T1486"
    playbook = "ransomware"

  strings:
    $family = "LockBit" ascii wide nocase
    $onion = /[a-z2-7]{16,56}\.onion/ ascii wide
    $n1 = /tor\s+browser/ ascii wide nocase
    $n2 = /private\s+key/ ascii wide nocase
    $n3 = /files\s+(are|have\s+been)\s+encrypted/ ascii wide nocase
    $n4 = "Restore-My-Files" ascii wide nocase
    $n5 = /third[- ]party\s+software/ ascii wide nocase

  condition:
    filesize < 64KB and $onion and
    (
      ($family and 2 of ($n*)) or
      (filename iequals "Restore-My-Files.txt" and 2 of ($n*))
    )
}

rule RANSOM_LockBit_Encrypted_File
{
  meta:
    description = "Detects a file renamed with LockBit's .lockbit extension whose first kilobyte is near-random"
    author = "Beffroi project"
    reference = "https://github.com/splunk/security_content"
    date = "2026-11-22"
    score = 75
    mitre_attack = "T1486"
    playbook = "ransomware"

  condition:
    extension == ".lockbit" and filesize >= 1KB and math.entropy(0, 1024) >= 7.0
}
