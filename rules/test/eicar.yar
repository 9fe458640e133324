/*
  The EICAR anti-virus test file: a harmless 68-byte string that every anti-virus product
  agrees to detect, used to check that detection, storage and reporting work end to end.
  The string is written in hexadecimal here so that this rule file is not itself the test
  string (anti-virus products would quarantine the repository otherwise).
*/

rule TEST_EICAR_Test_File
{
  meta:
    description = "Detects the EICAR anti-virus test file: the 68-byte test string at the start of a file of at most 128 bytes, as the EICAR specification allows"
    author = "Beffroi project"
    reference = "https://www.eicar.org/download-anti-malware-testfile/"
    date = "2026-11-22"
    score = 50
    mitre_attack = ""
    playbook = "test"

  strings:
    $eicar = { 58 35 4F 21 50 25 40 41 50 5B 34 5C 50 5A 58 35 34 28 50 5E 29 37 43 43 29 37
               7D 24 45 49 43 41 52 2D 53 54 41 4E 44 41 52 44 2D 41 4E 54 49 56 49 52 55 53
               2D 54 45 53 54 2D 46 49 4C 45 21 24 48 2B 48 2A }

  condition:
    $eicar at 0 and filesize <= 128
}
