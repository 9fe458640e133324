/*
  Cobalt Strike left at its defaults: named pipes, beacon URIs and the team server's
  self-signed certificate. Operators change all of these easily, so a match means a careless
  or rushed intrusion, and the absence of one proves nothing. Ransomware crews (the Ryuk and
  Conti ecosystem among them) used Cobalt Strike between the first foothold and encryption.
*/

import "hash"

rule HKTL_CobaltStrike_Default_Pipe_Names
{
  meta:
    description = "Detects Cobalt Strike's default named pipes in a script, a log or a binary: the MSSE-<n>-server pipe, or two of the postex_, postex_ssh_, msagent_ and status_ pipe families"
    author = "Beffroi project"
    reference = "https://github.com/SigmaHQ/sigma/blob/master/rules/windows/pipe_created/pipe_created_hktl_cobaltstrike.yml"
    date = "2026-11-22"
    score = 85
    mitre_attack = "T1055,T1021.002"
    playbook = "ransomware"

  strings:
    $msse = /\\MSSE-[0-9]{1,4}-server/ ascii wide
    $msse_format = "MSSE-%d-server" ascii wide
    $postex = /\\postex_[0-9a-f]{4}/ ascii wide
    $postex_ssh = /\\postex_ssh_[0-9a-f]{4}/ ascii wide
    $msagent = /\\msagent_[0-9a-f]{2,4}/ ascii wide
    $status = /\\status_[0-9a-f]{2}/ ascii wide

  condition:
    filesize < 10MB and
    ($msse or $msse_format or 2 of ($postex, $postex_ssh, $msagent, $status))
}

rule HKTL_CobaltStrike_Default_Beacon_Uris
{
  meta:
    description = "Detects a beacon configuration, a profile or a capture that lists several of the default Cobalt Strike HTTP beacon URIs, the rare ones weighing more than the common ones"
    author = "Beffroi project"
    reference = "https://github.com/rsmudge/Malleable-C2-Profiles/blob/master/normal/reference.profile"
    date = "2026-11-22"
    score = 75
    mitre_attack = "T1071.001"
    playbook = "ransomware"

  strings:
    $rare1 = "/dpixel" ascii wide
    $rare2 = "/__utm.gif" ascii wide
    $rare3 = "/g.pixel" ascii wide
    $rare4 = "/updates.rss" ascii wide
    $rare5 = "/IE9CompatViewList.xml" ascii wide
    $rare6 = "/submit.php?id=" ascii wide
    $rare7 = "/en_US/all.js" ascii wide
    $rare8 = "/j.ad" ascii wide
    $rare9 = "/visit.js" ascii wide
    $rare10 = "/ptj" ascii wide
    $common1 = "/pixel.gif" ascii wide
    $common2 = "/dot.gif" ascii wide
    $common3 = "/fwlink" ascii wide
    $common4 = "/activity" ascii wide
    $common5 = "/ga.js" ascii wide
    $common6 = "/push" ascii wide
    $common7 = "/match" ascii wide

  condition:
    filesize < 10MB and
    (3 of ($rare*) or (2 of ($rare*) and 2 of ($common*)))
}

rule HKTL_CobaltStrike_Default_Certificate
{
  meta:
    description = "Detects the self-signed certificate a Cobalt Strike team server uses until its operator replaces it, by its published MD5 or SHA-256 fingerprint, or by its subject fields in a DER or PEM file"
    author = "Beffroi project"
    reference = "https://www.elastic.co/guide/en/security/current/prebuilt-rule-8-4-1-default-cobalt-strike-team-server-certificate.html"
    date = "2026-11-22"
    score = 90
    mitre_attack = "T1573,T1071.001"
    playbook = "ransomware"

  strings:
    $pem = "-----BEGIN CERTIFICATE-----" ascii
    $cn = "Major Cobalt Strike" ascii
    $ou = "AdvancedPenTesting" ascii
    $o = "cobaltstrike" ascii
    $st = "Cyberspace" ascii
    $cn_b64 = "Major Cobalt Strike" base64
    $ou_b64 = "AdvancedPenTesting" base64
    $o_b64 = "cobaltstrike" base64
    $st_b64 = "Cyberspace" base64

  condition:
    filesize < 16KB and
    (
      hash.md5(0, filesize) == "950098276a495286eb2a2556fbab6d83" or
      (uint8(0) == 0x30 and
        (hash.sha256(0, filesize) == "87f2085c32b6a2cc709b365f55873e207a9caa10bffecf2fd16d3cf9d94d390c" or
         3 of ($cn, $ou, $o, $st))) or
      ($pem and 3 of ($cn_b64, $ou_b64, $o_b64, $st_b64))
    )
}
