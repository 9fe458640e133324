/*
  Royal: claimed the attack on the city of Lille (March 2023) and published data taken from
  it. Royal leaves README.TXT in every folder and renames files with the .royal extension; like
  Play, its note names no amount, only a Tor address to negotiate.
*/

import "math"

rule RANSOM_Royal_Note
{
  meta:
    description = "Detects a Royal ransom note: the family name with a Tor negotiation address and note wording, or a README.TXT that carries that wording around a Tor address"
    author = "Beffroi project"
    reference = "https://www.20minutes.fr/lille/4029842-20230327-lille-hackers-groupe-royal-attaque-mairie"
    date = "2026-11-22"
    score = 85
    mitre_attack = "T1486"
    playbook = "ransomware"

  strings:
    $family = /Royal\s+ransomware/ ascii wide nocase
    $onion = /[a-z2-7]{56}\.onion/ ascii wide
    $n1 = /tor\s+browser/ ascii wide nocase
    $n2 = "decrypt" ascii wide nocase
    $n3 = /your\s+(system|network)\s+(was|were)\s+hit/ ascii wide nocase
    $n4 = /security\s+infrastructure/ ascii wide nocase
    $n5 = /data\s+(was|were|has\s+been)\s+(downloaded|stolen|exfiltrated)/ ascii wide nocase

  condition:
    filesize < 16KB and $onion and
    (
      ($family and 2 of ($n*)) or
      (filename iequals "README.TXT" and 3 of ($n*))
    )
}

rule RANSOM_Royal_Encrypted_File
{
  meta:
    description = "Detects a file renamed with Royal's .royal extension whose first kilobyte is near-random, as on the servers of Lille in March 2023"
    author = "Beffroi project"
    reference = "https://www.20minutes.fr/lille/4029842-20230327-lille-hackers-groupe-royal-attaque-mairie"
    date = "2026-11-22"
    score = 75
    mitre_attack = "T1486"
    playbook = "ransomware"

  condition:
    extension == ".royal" and filesize >= 1KB and math.entropy(0, 1024) >= 7.0
}
