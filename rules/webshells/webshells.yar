/*
  Web shells (ATT&CK T1505.003): a page dropped on a public web server that runs what the
  request tells it to. Municipal web sites, forms and citizen portals are exposed to the
  internet; these rules look for request data flowing straight into code or command execution.
*/

rule WEBSHELL_PHP_Eval_Request
{
  meta:
    description = "Detects a PHP page that evaluates or executes request data: eval or assert over $_POST, $_GET, $_REQUEST or $_COOKIE (possibly through base64_decode and friends), or a shell function fed directly from the request"
    author = "Beffroi project"
    reference = "https://attack.mitre.org/techniques/T1505/003/"
    date = "2026-11-22"
    score = 80
    mitre_attack = "T1505.003"
    playbook = "remote-access"

  strings:
    $php = "<?php" ascii nocase
    $eval_request = /\b(eval|assert)\s*\(\s*((base64_decode|gzinflate|gzuncompress|str_rot13|stripslashes)\s*\(\s*)?\$_(POST|GET|REQUEST|COOKIE)\s*\[/ ascii nocase
    $exec_request = /\b(system|shell_exec|passthru|popen|proc_open|pcntl_exec)\s*\(\s*\$_(POST|GET|REQUEST|COOKIE)\s*\[/ ascii nocase
    $eval_decoded = /\beval\s*\(\s*(base64_decode|gzinflate|gzuncompress|str_rot13)\s*\(/ ascii nocase
    $request = /\$_(POST|GET|REQUEST|COOKIE)\s*\[/ ascii

  condition:
    filesize < 512KB and $php and
    ($eval_request or $exec_request or ($eval_decoded and $request))
}

rule WEBSHELL_ASPX_Cmd_Exec
{
  meta:
    description = "Detects an ASP.NET page that starts cmd.exe or PowerShell with a process API and reads the command from the request"
    author = "Beffroi project"
    reference = "https://attack.mitre.org/techniques/T1505/003/"
    date = "2026-11-22"
    score = 80
    mitre_attack = "T1505.003"
    playbook = "remote-access"

  strings:
    $page = /<%@\s*(Page|WebHandler|WebService)\b/ ascii wide nocase
    $process1 = "Process.Start" ascii wide nocase
    $process2 = "ProcessStartInfo" ascii wide nocase
    $shell1 = "cmd.exe" ascii wide nocase
    $shell2 = "powershell" ascii wide nocase
    $request = /Request(\.Form|\.QueryString|\.Params|\.Headers)?\s*\[/ ascii wide nocase

  condition:
    filesize < 512KB and $page and 1 of ($process*) and 1 of ($shell*) and $request
}

rule WEBSHELL_JSP_Cmd_Exec
{
  meta:
    description = "Detects a JSP page that passes a request parameter to Runtime.exec or a ProcessBuilder and reads the process output back"
    author = "Beffroi project"
    reference = "https://attack.mitre.org/techniques/T1505/003/"
    date = "2026-11-22"
    score = 80
    mitre_attack = "T1505.003"
    playbook = "remote-access"

  strings:
    $jsp1 = "<%@ page" ascii nocase
    $jsp2 = "<jsp:" ascii nocase
    $jsp3 = /<%[^@=!-]/ ascii
    $exec_param = /Runtime\.getRuntime\(\)\.exec\(\s*request\.getParameter\(/ ascii
    $exec = "Runtime.getRuntime().exec(" ascii
    $builder = "new ProcessBuilder(" ascii
    $param = "request.getParameter(" ascii
    $output = ".getInputStream()" ascii

  condition:
    filesize < 512KB and 1 of ($jsp*) and
    ($exec_param or (($exec or $builder) and $param and $output))
}
