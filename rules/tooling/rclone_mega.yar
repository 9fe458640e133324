/*
  Exfiltration to MEGA with rclone (ATT&CK T1567.002): operators configure an rclone remote of
  type mega, then copy whole shares to it for hours, days before they encrypt. Royal took data
  from Lille this way before publishing it. The configuration file and the command lines in
  scripts or shell history are what stays on disk.
*/

rule EXFIL_Rclone_Mega_Config
{
  meta:
    description = "Detects an rclone configuration with a remote of type mega that holds a user name and a password, the set-up used to push stolen data to MEGA"
    author = "Beffroi project"
    reference = "https://detection.fyi/sigmahq/sigma/windows/file/file_event/file_event_win_rclone_config_files/"
    date = "2026-11-22"
    score = 75
    mitre_attack = "T1567.002"
    playbook = "double-extortion"

  strings:
    $remote = /\[[^\]\r\n]{1,64}\][ \t]*\r?\n[ \t]*type[ \t]*=[ \t]*mega\b/ ascii
    $user = /\buser[ \t]*=[ \t]*[^\s]/ ascii
    $pass = /\bpass[ \t]*=[ \t]*[^\s]/ ascii

  condition:
    filesize < 64KB and $remote and $user and $pass
}

rule EXFIL_Rclone_Mega_Command
{
  meta:
    description = "Detects an rclone command line in a script or a history file that creates a MEGA remote or copies, syncs or moves data to a remote named after MEGA"
    author = "Beffroi project"
    reference = "https://redcanary.com/blog/threat-detection/rclone-mega-extortion"
    date = "2026-11-22"
    score = 80
    mitre_attack = "T1567.002"
    playbook = "double-extortion"

  strings:
    $create = /rclone(\.exe)?["']?\s+config\s+create\s+[^\s]{1,64}\s+mega\b/ ascii wide nocase
    $transfer = /rclone(\.exe)?["']?\s+(copy|sync|move|copyto|moveto)\s[^\r\n]{1,512}\smega[a-z0-9_-]{0,32}:/ ascii wide nocase

  condition:
    filesize < 5MB and ($create or $transfer)
}
