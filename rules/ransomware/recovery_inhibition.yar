/*
  Recovery inhibition (ATT&CK T1490): seconds to minutes before encrypting, ransomware
  operators delete shadow copies and backup catalogues and stop Windows from booting into
  recovery. One of these commands alone is sometimes routine administration; two different
  ones in the same script or log are not.
*/

rule RANSOM_Recovery_Inhibition_Commands
{
  meta:
    description = "Detects a script or command log that chains at least two recovery-inhibition commands: shadow-copy deletion (vssadmin, wmic, WMI), shadow-storage shrinking, backup-catalogue deletion (wbadmin) or boot-recovery tampering (bcdedit)"
    author = "Beffroi project"
    reference = "https://github.com/redcanaryco/atomic-red-team/blob/f339e7da7d05f6057fdfcdd3742bfcf365fee2a9/atomics/T1490/T1490.md"
    date = "2026-11-22"
    score = 80
    mitre_attack = "T1490"
    playbook = "ransomware"

  strings:
    $vss_delete = /vssadmin(\.exe)?["']?\s+delete\s+shadows/ ascii wide nocase
    $vss_resize = /vssadmin(\.exe)?["']?\s+resize\s+shadowstorage/ ascii wide nocase
    $wmic_delete = /wmic(\.exe)?["']?\s+shadowcopy\s+delete/ ascii wide nocase
    $wmi_delete = /win32_shadowcopy[^\r\n]{0,120}\.delete\(/ ascii wide nocase
    $wbadmin = /wbadmin(\.exe)?["']?\s+delete\s+(catalog|systemstatebackup|backup)/ ascii wide nocase
    $bcd_recovery = /bcdedit(\.exe)?["']?\s+\/set\s+\{?[a-z]{1,16}\}?\s+recoveryenabled\s+(no|off|0)/ ascii wide nocase
    $bcd_bootstatus = /bcdedit(\.exe)?["']?\s+\/set\s+\{?[a-z]{1,16}\}?\s+bootstatuspolicy\s+ignoreallfailures/ ascii wide nocase

  condition:
    filesize < 5MB and 2 of them
}
