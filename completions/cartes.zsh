#compdef cartes

_cartes_completion() {
  eval $(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" _CARTES_COMPLETE=complete_zsh cartes)
}

compdef _cartes_completion cartes
