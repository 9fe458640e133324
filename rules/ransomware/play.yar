/*
  Play: claimed the attack on the city of Antwerp (December 2022), where millions of files on
  the city's servers were given the .Play extension. Play's note (ReadMe.txt) is terse: the
  family name on the first line, Tor addresses and a mailbox, no ransom amount.
*/

import "math"

rule RANSOM_Play_Note
{
  meta:
    description = "Detects a Play ransom note: a short text that opens with the word PLAY and gives only contact details, a Tor address plus a mailbox or the leak-site wording"
    author = "Beffroi project"
    reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa23-352a"
    date = "2026-11-22"
    score = 85
    mitre_attack = "T1486"
    playbook = "ransomware"

  strings:
    $play = "PLAY" ascii
    $onion = /[a-z2-7]{56}\.onion/ ascii
    $mail1 = /@gmx\.(com|net|de)/ ascii nocase
    $mail2 = "@onionmail." ascii nocase
    $mail3 = "@aol." ascii nocase
    $portal = /news\s+portal/ ascii nocase

  condition:
    filesize < 4KB and $play at 0 and $onion and
    (1 of ($mail*) or $portal)
}

rule RANSOM_Play_Encrypted_File
{
  meta:
    description = "Detects a file renamed with Play's .play extension whose first kilobyte is near-random, the way the Antwerp servers' files were left"
    author = "Beffroi project"
    reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa23-352a"
    date = "2026-11-22"
    score = 75
    mitre_attack = "T1486"
    playbook = "ransomware"

  condition:
    extension == ".play" and filesize >= 1KB and math.entropy(0, 1024) >= 7.0
}
