# aibgen lint: parses PowerShell scripts with PowerShell's own parser and walks their syntax trees
# for what Windows PowerShell 5.1 (which AIB runs) rejects or what hangs or breaks an image build.
# Input (stdin): a JSON array of { id, path } or { id, text }. Output (stdout): a JSON object
# { version, results: [{ id, errors: [{ line, column, message, errorId }], findings: [{ rule, line, column, message }] }] }.
# One process for every script: PowerShell starts slowly.
$ErrorActionPreference = 'Stop'
$inputs = [Console]::In.ReadToEnd() | ConvertFrom-Json
$results = [System.Collections.Generic.List[object]]::new()

function Add-Finding($list, $rule, $extent, $message) {
  $list.Add([ordered]@{ rule = $rule; line = $extent.StartLineNumber; column = $extent.StartColumnNumber; message = $message })
}

foreach ($item in @($inputs)) {
  $tokens = $null
  $parseErrors = $null
  if ($null -ne $item.path) {
    $ast = [System.Management.Automation.Language.Parser]::ParseFile($item.path, [ref]$tokens, [ref]$parseErrors)
  } else {
    $ast = [System.Management.Automation.Language.Parser]::ParseInput([string]$item.text, [ref]$tokens, [ref]$parseErrors)
  }
  $errors = [System.Collections.Generic.List[object]]::new()
  foreach ($e in @($parseErrors)) {
    if ($null -eq $e) { continue }
    $errors.Add([ordered]@{ line = $e.Extent.StartLineNumber; column = $e.Extent.StartColumnNumber; message = $e.Message; errorId = $e.ErrorId })
  }
  $findings = [System.Collections.Generic.List[object]]::new()
  $all = $ast.FindAll({ $true }, $true)
  foreach ($node in $all) {
    $type = $node.GetType().Name
    switch ($type) {
      'TernaryExpressionAst' { Add-Finding $findings 'AIB211' $node.Extent 'the ternary operator (a ? b : c) is PowerShell 7 syntax; Windows PowerShell 5.1, which AIB runs, cannot parse it: use if/else' }
      'PipelineChainAst' { Add-Finding $findings 'AIB211' $node.Extent "pipeline chains (&& and ||) are PowerShell 7 syntax; Windows PowerShell 5.1 cannot parse them: use if (`$?) { ... } or check `$LASTEXITCODE" }
      'BinaryExpressionAst' {
        if ($node.Operator.ToString() -eq 'QuestionQuestion') { Add-Finding $findings 'AIB211' $node.Extent 'the ?? operator is PowerShell 7 syntax; Windows PowerShell 5.1 cannot parse it: use if ($null -eq $x) { ... }' }
      }
      'AssignmentStatementAst' {
        if ($node.Operator.ToString() -eq 'QuestionQuestionEquals') { Add-Finding $findings 'AIB211' $node.Extent 'the ??= operator is PowerShell 7 syntax; Windows PowerShell 5.1 cannot parse it' }
      }
      'MemberExpressionAst' {
        if ($node.PSObject.Properties['NullConditional'] -and $node.NullConditional) { Add-Finding $findings 'AIB211' $node.Extent 'null-conditional member access (?.) is PowerShell 7 syntax; Windows PowerShell 5.1 cannot parse it' }
      }
      'InvokeMemberExpressionAst' {
        if ($node.PSObject.Properties['NullConditional'] -and $node.NullConditional) { Add-Finding $findings 'AIB211' $node.Extent 'null-conditional member access (?.) is PowerShell 7 syntax; Windows PowerShell 5.1 cannot parse it' }
      }
      'IndexExpressionAst' {
        if ($node.PSObject.Properties['NullConditional'] -and $node.NullConditional) { Add-Finding $findings 'AIB211' $node.Extent 'null-conditional indexing (?[]) is PowerShell 7 syntax; Windows PowerShell 5.1 cannot parse it' }
      }
      'CommandAst' {
        $name = $node.GetCommandName()
        # `& $path\tool.exe ...` has no static name: judge the text of what is called.
        if ($null -eq $name) { $name = $node.CommandElements[0].Extent.Text.Trim('"', "'") }
        $lower = $name.ToLowerInvariant()
        $params = @($node.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] } | ForEach-Object { $_.ParameterName.ToLowerInvariant() })
        $words = @($node.CommandElements | ForEach-Object { $_.Extent.Text.ToLowerInvariant() })
        if (($lower -eq 'foreach-object' -or $lower -eq 'foreach' -or $lower -eq '%') -and ($params -contains 'parallel')) {
          Add-Finding $findings 'AIB211' $node.Extent 'ForEach-Object -Parallel is PowerShell 7 only; Windows PowerShell 5.1 fails on it'
        }
        if ($lower -eq 'restart-computer' -or (($lower -eq 'shutdown' -or $lower -eq 'shutdown.exe') -and ($words -match '^[/-]r$').Count -gt 0)) {
          Add-Finding $findings 'AIB206' $node.Extent "$name inside a PowerShell step cuts the builder's connection and fails the build; end the step and add a WindowsRestart step instead"
        }
        if ($lower -eq 'read-host' -or $lower -eq 'pause' -or $lower -eq 'get-credential') {
          Add-Finding $findings 'AIB209' $node.Extent "$name waits for input that never comes in an unattended build (it hangs until the build times out)"
        }
        if ($lower -match 'sysprep(\.exe)?$') {
          Add-Finding $findings 'AIB207' $node.Extent 'Sysprep in a customizer generalizes the VM before AIB is done with it; only the deprovisioning script (DeprovisioningScript.ps1) may run it'
        }
        if ($lower -eq 'disable-psremoting' -or (($lower -eq 'stop-service' -or $lower -eq 'set-service') -and ($words -match 'winrm').Count -gt 0) -or ($lower -eq 'set-netfirewallprofile') -or ($lower -eq 'netsh' -and ($words -contains 'advfirewall')) -or ($lower -eq 'winrm' -and ($words -match '^(delete|set)$').Count -gt 0)) {
          Add-Finding $findings 'AIB212' $node.Extent "$name changes the firewall or WinRM, which AIB uses to reach the build VM; a change that cuts the connection fails the build with 'context cancelled'"
        }
      }
    }
  }
  $results.Add([ordered]@{ id = $item.id; errors = $errors; findings = $findings })
}
$answer = [ordered]@{ version = $PSVersionTable.PSVersion.ToString(); results = $results.ToArray() }
[Console]::Out.Write((ConvertTo-Json -InputObject $answer -Depth 7 -Compress))
