_cartes_completion() {
    local IFS=$'
'
    COMPREPLY=( $( env COMP_WORDS="${COMP_WORDS[*]}" \
                   COMP_CWORD=$COMP_CWORD \
                   _CARTES_COMPLETE=complete_bash $1 ) )
    return 0
}

complete -o default -F _cartes_completion cartes
