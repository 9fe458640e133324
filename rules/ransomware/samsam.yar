/*
  SamSam: hit the city of Atlanta in March 2018. Its operators broke in by hand and left
  HELP_DECRYPT_YOUR_FILES notes (HTML or text) beside files renamed with .encryptedRSA. The
  notes never name the family, so the note rule needs the file name or its mention in the text.
*/

import "math"

rule RANSOM_SamSam_Note
{
  meta:
    description = "Detects a SamSam ransom note: a HELP_DECRYPT_YOUR_FILES note that talks about RSA-2048 encryption and a Bitcoin payment"
    author = "Beffroi project"
    reference = "https://www.wabe.org/know-atlanta-ransomware-attack/"
    date = "2026-11-22"
    score = 85
    mitre_attack = "T1486"
    playbook = "ransomware"

  strings:
    $name = "HELP_DECRYPT_YOUR_FILES" ascii wide nocase
    $rsa = /RSA[- ]?2048/ ascii wide nocase
    $btc = "bitcoin" ascii wide nocase
    $n1 = /what\s+happen(ed)?\s+to\s+your\s+files/ ascii wide nocase
    $n2 = /how\s+to\s+(recover|decrypt|restore)/ ascii wide nocase
    $n3 = "private key" ascii wide nocase

  condition:
    filesize < 64KB and
    (filename istartswith "HELP_DECRYPT_YOUR_FILES" or $name) and
    $rsa and $btc and 1 of ($n*)
}

rule RANSOM_SamSam_Encrypted_File
{
  meta:
    description = "Detects a file renamed with SamSam's .encryptedRSA extension whose first kilobyte is near-random, as seen at the city of Atlanta"
    author = "Beffroi project"
    reference = "https://www.wabe.org/know-atlanta-ransomware-attack/"
    date = "2026-11-22"
    score = 75
    mitre_attack = "T1486"
    playbook = "ransomware"

  condition:
    extension == ".encryptedrsa" and filesize >= 1KB and math.entropy(0, 1024) >= 7.0
}
