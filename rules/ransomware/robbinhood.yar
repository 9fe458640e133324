/*
  RobbinHood: hit the city of Baltimore in May 2019 (about ten thousand computers, 13 BTC
  demanded with a price that grew every day). Its notes are HTML pages such as
  _Decrypt_Files.html; encrypted files end in .enc_robbinhood.
*/

import "math"

rule RANSOM_RobbinHood_Note
{
  meta:
    description = "Detects a RobbinHood ransom note: one of its HTML note names, or the family name in the text, with RSA-4096 and Bitcoin payment wording"
    author = "Beffroi project"
    reference = "https://www.marylandmatters.org/2019/06/11/baltimore-city-expects-to-be-almost-completely-back-online-by-next-week/"
    date = "2026-11-22"
    score = 85
    mitre_attack = "T1486"
    playbook = "ransomware"

  strings:
    $family = "robbinhood" ascii wide nocase
    $rsa = /RSA[- ]?4096/ ascii wide nocase
    $btc = "bitcoin" ascii wide nocase
    $n1 = /price\s+(will\s+)?increase/ ascii wide nocase
    $n2 = /(files|data)\s+(are|were|have\s+been)\s+(encrypted|protected)/ ascii wide nocase
    $n3 = "decrypt" ascii wide nocase

  condition:
    filesize < 64KB and
    (
      filename iequals "_Decrypt_Files.html" or
      filename iequals "_Help_Important.html" or
      filename iequals "_Help_Help_Help.html" or
      $family
    ) and
    $rsa and $btc and 1 of ($n*)
}

rule RANSOM_RobbinHood_Encrypted_File
{
  meta:
    description = "Detects a file renamed with RobbinHood's .enc_robbinhood extension whose first kilobyte is near-random, as seen at the city of Baltimore"
    author = "Beffroi project"
    reference = "https://www.marylandmatters.org/2019/06/11/baltimore-city-expects-to-be-almost-completely-back-online-by-next-week/"
    date = "2026-11-22"
    score = 75
    mitre_attack = "T1486"
    playbook = "ransomware"

  condition:
    extension == ".enc_robbinhood" and filesize >= 1KB and math.entropy(0, 1024) >= 7.0
}
